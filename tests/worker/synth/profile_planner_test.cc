// The plan of a synthetic profile, checked without writing files: counts,
// layout, duplicates, follower sampling and the planted popularity model.
#include "worker/synth/profile_planner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "common/error.h"
#include "worker/synth/follower_model.h"
#include "worker/synth/media_planner.h"
#include "worker/synth/profile_csv_writer.h"
#include "worker/synth/visual_families.h"

namespace popsweep::synth {
namespace {

const ProfilePlan& paper_plan() {
  static const ProfilePlan plan = plan_profile(preset_named("paper"), 1);
  return plan;
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  double mx = 0, my = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    mx += x[i] / n;
    my += y[i] / n;
  }
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

TEST(SynthPlan, PaperPresetHasThePapersCounts) {
  const ProfilePlan& plan = paper_plan();
  int images = 0, videos = 0, image_duplicates = 0, video_duplicates = 0, corrupt = 0;
  for (const PlannedMedia& media : plan.media) {
    ++(media.is_video ? videos : images);
    if (media.duplicate_of >= 0) ++(media.is_video ? video_duplicates : image_duplicates);
    if (media.corruption != CorruptionKind::None) ++corrupt;
  }
  EXPECT_EQ(plan.posts.size(), 1450u);
  EXPECT_EQ(images, 1613);
  EXPECT_EQ(videos, 575);
  // The paper's cleaning dropped 1613 - 1469 images and 575 - 556 videos.
  EXPECT_EQ(image_duplicates + 4, 1613 - 1469);
  EXPECT_EQ(video_duplicates + 2, 575 - 556);
  EXPECT_EQ(corrupt, 6);
  const double duplicate_share = static_cast<double>(image_duplicates) / images;
  EXPECT_GT(duplicate_share, 0.08);
  EXPECT_LT(duplicate_share, 0.10);
}

TEST(SynthPlan, PostKindsMatchTheirMedia) {
  const ProfilePlan& plan = paper_plan();
  int mixed_carousels = 0;
  for (const PlannedPost& post : plan.posts) {
    int videos = 0;
    for (int index : post.media) videos += plan.media[index].is_video;
    const int count = static_cast<int>(post.media.size());
    switch (post.kind) {
      case PlannedPostKind::Image: EXPECT_TRUE(count == 1 && videos == 0) << post.id; break;
      case PlannedPostKind::Video: EXPECT_TRUE(count == 1 && videos == 1) << post.id; break;
      case PlannedPostKind::Carousel:
        EXPECT_GE(count, 2) << post.id;
        EXPECT_LE(count, 10) << post.id;
        mixed_carousels += videos > 0 && videos < count;
        break;
    }
  }
  EXPECT_GT(mixed_carousels, 50);
}

TEST(SynthPlan, PostsAreInTimeOrderWithUniqueTimes) {
  const ProfilePlan& plan = paper_plan();
  for (size_t i = 1; i < plan.posts.size(); ++i) EXPECT_LT(plan.posts[i - 1].posted_at, plan.posts[i].posted_at);
  EXPECT_GE(plan.posts.front().posted_at, plan.start);
  EXPECT_LE(plan.posts.back().posted_at, plan.end);
}

TEST(SynthPlan, DuplicatesRepostEarlierCleanOriginalsOfTheirType) {
  const ProfilePlan& plan = paper_plan();
  std::map<int, int> uses;
  for (const PlannedMedia& media : plan.media) {
    if (media.duplicate_of < 0) continue;
    const PlannedMedia& original = plan.media[media.duplicate_of];
    EXPECT_LT(original.post, media.post) << media.path;
    EXPECT_EQ(original.is_video, media.is_video) << media.path;
    EXPECT_EQ(original.family, media.family) << media.path;
    EXPECT_EQ(original.content_seed, media.content_seed) << media.path;
    EXPECT_EQ(original.corruption, CorruptionKind::None) << media.path;
    EXPECT_EQ(original.duplicate_of, -1) << media.path;
    EXPECT_EQ(media.corruption, CorruptionKind::None) << media.path;
    ++uses[media.duplicate_of];
    if (media.is_video) {
      // M8 matches videos on equal duration and frame rate.
      EXPECT_EQ(media.video.frames, original.video.frames);
      EXPECT_EQ(media.video.fps, original.video.fps);
      EXPECT_NE(media.video.crf, original.video.crf);
    } else if (media.transform == DuplicateTransform::Crop) {
      const int cropped_width = media.image.crop_left + media.image.crop_right;
      const int cropped_height = media.image.crop_top + media.image.crop_bottom;
      EXPECT_GT(cropped_width + cropped_height, 0);
      const double area = static_cast<double>(media.image.width) * media.image.height;
      const double kept = static_cast<double>(media.image.width - cropped_width) * (media.image.height - cropped_height);
      EXPECT_LE(area - kept, 0.05 * area) << media.path;
    }
  }
  for (const auto& [original, count] : uses) EXPECT_EQ(count, 1) << plan.media[original].path;
}

TEST(SynthPlan, VideoLengthsAndRatesCoverWhatFrameSamplingMeets) {
  const ProfilePlan& plan = paper_plan();
  int shorter_than_15 = 0, from_15_to_40 = 0, longer_than_60 = 0, videos = 0, rotated = 0;
  std::map<int, int> rates;
  for (const PlannedMedia& media : plan.media) {
    if (!media.is_video) continue;
    ++videos;
    const double seconds = media.video.duration_seconds();
    shorter_than_15 += seconds < 15;
    from_15_to_40 += seconds >= 15 && seconds <= 40;
    longer_than_60 += seconds > 60;
    rotated += media.video.rotation_clockwise != 0;
    ++rates[media.video.fps];
  }
  EXPECT_GT(shorter_than_15, 0.05 * videos);
  EXPECT_GT(from_15_to_40, 0.6 * videos);
  EXPECT_GT(longer_than_60, 0.05 * videos);
  EXPECT_GE(rotated, 25);
  for (int fps : {8, 10, 24, 25, 30}) EXPECT_GT(rates[fps], 0) << fps;
}

TEST(SynthPlan, TrackerStartsLateSamplesWeeklyAndStopsBeforeTheLastPosts) {
  const ProfilePlan& plan = paper_plan();
  const auto& samples = plan.follower_samples;
  ASSERT_GT(samples.size(), 150u);
  // M2: months of posts before the first sample and weeks after the last.
  EXPECT_GE(samples.front().at - plan.posts.front().posted_at, 140 * kSecondsPerDay);
  const auto after_last = std::count_if(plan.posts.begin(), plan.posts.end(),
                                        [&](const PlannedPost& post) { return post.posted_at > samples.back().at; });
  EXPECT_GT(after_last, 10);
  std::vector<UnixSeconds> intervals;
  for (size_t i = 1; i < samples.size(); ++i) intervals.push_back(samples[i].at - samples[i - 1].at);
  std::sort(intervals.begin(), intervals.end());
  EXPECT_EQ(intervals[intervals.size() / 2], kSecondsPerWeek);
  // Skipped weeks never come two in a row, so only the planned outages last
  // more than kLongGapDays; each lasts 28 to 56 days.
  const std::vector<TrackerGap> outages = long_gaps(samples);
  EXPECT_EQ(outages.size(), 3u);
  for (const TrackerGap& gap : outages) EXPECT_GE(gap.first_after - gap.last_before, 28 * kSecondsPerDay);
  // Growth from about 8k to about 120k.
  EXPECT_GT(samples.front().followers, 8000);
  EXPECT_LT(samples.front().followers, 12000);
  EXPECT_GT(samples.back().followers, 100000);
  EXPECT_LT(samples.back().followers, 120000);
}

TEST(SynthPlan, PopularityRateDriftsDownAsFollowersGrow) {
  const ProfilePlan& plan = paper_plan();
  double first_year = 0, last_year = 0;
  int first_count = 0, last_count = 0;
  for (const PlannedPost& post : plan.posts) {
    if (post.posted_at < plan.start + 365 * kSecondsPerDay) {
      first_year += post.por;
      ++first_count;
    }
    if (post.posted_at > plan.end - 365 * kSecondsPerDay) {
      last_year += post.por;
      ++last_count;
    }
  }
  EXPECT_GT(first_year / first_count, 1.8 * (last_year / last_count));
}

TEST(SynthPlan, ImageOnlyPostsAreAboutFortyFivePercentMorePopular) {  // M6
  const ProfilePlan& plan = paper_plan();
  double image_only = 0, with_video = 0;
  int image_only_count = 0, with_video_count = 0;
  for (const PlannedPost& post : plan.posts) {
    if (has_video(plan, post)) {
      with_video += post.por;
      ++with_video_count;
    } else {
      image_only += post.por;
      ++image_only_count;
    }
  }
  const double ratio = (image_only / image_only_count) / (with_video / with_video_count);
  EXPECT_GT(ratio, 1.3);
  EXPECT_LT(ratio, 1.6);
}

TEST(SynthPlan, EngagementRateCorrelatesWithPorWhereImpressionsAreKnown) {  // M3
  const ProfilePlan& plan = paper_plan();
  std::vector<double> engagement_rate, por;
  UnixSeconds first_known = plan.end;
  for (const PlannedPost& post : plan.posts) {
    if (!post.impressions) continue;
    first_known = std::min(first_known, post.posted_at);
    engagement_rate.push_back(static_cast<double>(post.likes + post.comments) / static_cast<double>(*post.impressions));
    por.push_back(post.por);
  }
  EXPECT_GT(engagement_rate.size(), 450u);
  EXPECT_GT(first_known, plan.end - 731 * kSecondsPerDay);
  EXPECT_NEAR(pearson(engagement_rate, por), 0.806, 0.02);
}

TEST(SynthPlan, EachFamilyShiftsPopularityByItsEffect) {
  // Single-media posts without a video: log PoR minus the planted follower
  // trend leaves the family effect plus noise.
  const ProfilePlan& plan = paper_plan();
  const SynthPreset& preset = plan.preset;
  std::map<int, std::pair<double, int>> residuals;
  for (const PlannedPost& post : plan.posts) {
    if (post.kind != PlannedPostKind::Image) continue;
    const double trend = std::log(preset.por_start) +
                         preset.por_follower_elasticity * std::log(post.followers / preset.followers_start);
    auto& [sum, count] = residuals[plan.media[post.media[0]].family];
    sum += std::log(post.por) - trend;
    ++count;
  }
  ASSERT_EQ(residuals.size(), visual_families().size());
  for (const VisualFamily& family : visual_families()) {
    const auto& [sum, count] = residuals[family.id];
    EXPECT_NEAR(sum / count, family.effect, 0.08) << family.name;
  }
}

TEST(SynthPlan, SameSeedSamePlanAndAnotherSeedAnother) {
  const SynthPreset tiny = preset_named("tiny");
  const ProfilePlan first = plan_profile(tiny, 7);
  const ProfilePlan again = plan_profile(tiny, 7);
  const ProfilePlan other = plan_profile(tiny, 8);
  EXPECT_EQ(posts_csv(first), posts_csv(again));
  EXPECT_EQ(followers_csv(first), followers_csv(again));
  EXPECT_NE(posts_csv(first), posts_csv(other));
}

TEST(SynthPlan, TinyPresetIsSmallButHasEverything) {
  const ProfilePlan plan = plan_profile(preset_named("tiny"), 1);
  EXPECT_GE(plan.posts.size(), 40u);
  EXPECT_LE(plan.posts.size(), 60u);
  int duplicates = 0, corrupt = 0, rotated = 0, long_videos = 0, short_videos = 0;
  for (const PlannedMedia& media : plan.media) {
    duplicates += media.duplicate_of >= 0;
    corrupt += media.corruption != CorruptionKind::None;
    rotated += media.is_video && media.video.rotation_clockwise != 0;
    long_videos += media.is_video && media.video.duration_seconds() > 60;
    short_videos += media.is_video && media.video.duration_seconds() < 15;
  }
  EXPECT_GT(duplicates, 0);
  EXPECT_EQ(corrupt, 4);
  EXPECT_GT(rotated, 0);
  EXPECT_GT(long_videos, 0);
  EXPECT_GT(short_videos, 0);
}

// The small preset exists for learning tests: every preset is valid, and the
// small one has the counts it promises, with its videos short.
TEST(SynthPlan, EveryPresetIsValidAndSmallHasItsCounts) {
  for (const std::string& name : preset_names()) EXPECT_NO_THROW(validate_preset(preset_named(name))) << name;
  const ProfilePlan plan = plan_profile(preset_named("small"), 1);
  EXPECT_EQ(plan.posts.size(), 300u);
  int images = 0, videos = 0, duplicates = 0;
  double longest_video = 0;
  for (const PlannedMedia& media : plan.media) {
    images += !media.is_video;
    videos += media.is_video;
    duplicates += media.duplicate_of >= 0;
    if (media.is_video) longest_video = std::max(longest_video, media.video.duration_seconds());
  }
  EXPECT_EQ(images, 330);
  EXPECT_EQ(videos, 150);
  EXPECT_EQ(duplicates, 11);
  EXPECT_LE(longest_video, 20.5);
}

TEST(SynthPlan, StratifiedChoicesFollowTheWeightsAndKeepRareOnes) {
  SynthRandom random(3);
  const std::vector<size_t> choices = stratified_choices({0.7, 0.25, 0.05}, 12, random);
  ASSERT_EQ(choices.size(), 12u);
  EXPECT_EQ(std::count(choices.begin(), choices.end(), 2u), 1);
  EXPECT_EQ(std::count(choices.begin(), choices.end(), 1u), 3);
  EXPECT_EQ(std::count(choices.begin(), choices.end(), 0u), 8);
}

TEST(SynthPlan, UnknownPresetIsAConfigError) {
  EXPECT_THROW(preset_named("huge"), ConfigError);
}

}  // namespace
}  // namespace popsweep::synth
