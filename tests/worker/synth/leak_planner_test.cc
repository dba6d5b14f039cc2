// The planted leaks of the cross-type, carousel-leak and drift presets,
// checked on their plans (no files written); the older presets plant none.
#include "worker/synth/leak_planner.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "worker/synth/profile_planner.h"

namespace popsweep::synth {
namespace {

TEST(LeakPlanner, OlderPresetsPlantNoLeak) {
  for (const char* name : {"tiny", "small", "paper"}) {
    const ProfilePlan plan = plan_profile(preset_named(name), 1);
    for (const PlannedMedia& media : plan.media) {
      EXPECT_EQ(media.copies_video, -1) << name << " " << media.path;
      EXPECT_EQ(media.period, -1) << name << " " << media.path;
      EXPECT_LT(media.tint_hue, 0) << name << " " << media.path;
      EXPECT_EQ(media.image.grain_seed, 0u) << name << " " << media.path;
      if (media.is_video) {
        EXPECT_FALSE(media.thumbnail_path.empty()) << name << " " << media.path;
      }
    }
  }
}

// M7-M9 across media types: each copy shows its video's scene, sits in
// another post, and copies a plain video (no repost, corruption or rotation
// that would blur the truth); a first-frame copy's video has no thumbnail.
TEST(LeakPlanner, CrossTypeCopiesShowAVideosFirstFrame) {
  const ProfilePlan plan = plan_profile(preset_named("cross-type"), 1);
  std::map<CrossTypeCopy, int> kinds;
  std::set<int> copied;
  for (const PlannedMedia& media : plan.media) {
    if (media.copies_video < 0) continue;
    ++kinds[media.copy];
    const PlannedMedia& video = plan.media[media.copies_video];
    EXPECT_TRUE(copied.insert(media.copies_video).second) << "a video copied twice";
    EXPECT_FALSE(media.is_video);
    EXPECT_TRUE(video.is_video);
    EXPECT_NE(media.post, video.post);
    EXPECT_EQ(media.family, video.family);
    EXPECT_EQ(media.content_seed, video.content_seed);
    EXPECT_EQ(video.duplicate_of, -1);
    EXPECT_EQ(video.corruption, CorruptionKind::None);
    EXPECT_EQ(video.video.rotation_clockwise, 0);
    EXPECT_EQ(media.image.frame_width, video.video.width);
    EXPECT_NEAR(static_cast<double>(media.image.height) / media.image.width,
                static_cast<double>(video.video.height) / video.video.width, 0.03);
    EXPECT_EQ(video.thumbnail_path.empty(), media.copy == CrossTypeCopy::FirstFrame);
  }
  EXPECT_EQ(kinds[CrossTypeCopy::Thumbnail], 4);
  EXPECT_EQ(kinds[CrossTypeCopy::FirstFrame], 2);
}

// Only the post predicts popularity: every image sits in a carousel of 2-4
// shots of one scene, each shot with its own grain and a small shift, and
// no two carousels share a scene.
TEST(LeakPlanner, CarouselLeakShowsOneSceneAPost) {
  const ProfilePlan plan = plan_profile(preset_named("carousel-leak"), 1);
  std::set<std::uint64_t> scenes;
  int carousels = 0;
  for (const PlannedPost& post : plan.posts) {
    if (post.kind != PlannedPostKind::Carousel) {
      EXPECT_TRUE(plan.media[post.media[0]].is_video) << post.id;
      continue;
    }
    ++carousels;
    EXPECT_GE(post.media.size(), 2u);
    EXPECT_LE(post.media.size(), 4u);
    const PlannedMedia& first = plan.media[post.media[0]];
    EXPECT_TRUE(scenes.insert(first.content_seed).second) << post.id;
    std::set<std::uint64_t> grains;
    for (int index : post.media) {
      const PlannedMedia& shot = plan.media[index];
      EXPECT_FALSE(shot.is_video);
      EXPECT_EQ(shot.content_seed, first.content_seed);
      EXPECT_EQ(shot.family, first.family);
      EXPECT_TRUE(grains.insert(shot.image.grain_seed).second) << post.id;
      EXPECT_LE(std::abs(shot.image.shift_x), 1) << post.id;  // 2% of 64 pixels
      EXPECT_LE(std::abs(shot.image.shift_y), 1) << post.id;
    }
  }
  EXPECT_EQ(carousels, 150);
}

// Drift: four periods of equal length, each with its own tint, each posting
// its two looks: last period's (now stale) and a new one. Within a period
// the new look's log PoR is clearly above the stale one's (effects +/-0.5,
// noise 0.18), and the new look of one period is the stale one of the next.
TEST(LeakPlanner, DriftMakesEachNewLookPopularThenStale) {
  const ProfilePlan plan = plan_profile(preset_named("drift"), 1);
  const int periods = plan.preset.drift_periods;
  ASSERT_EQ(periods, 4);
  std::vector<std::map<int, std::vector<double>>> log_por(periods);
  for (const PlannedMedia& media : plan.media) {
    const PlannedPost& post = plan.posts[media.post];
    ASSERT_GE(media.period, 0);
    EXPECT_GE(post.posted_at, drift_period_start(plan, media.period));
    EXPECT_LT(post.posted_at, drift_period_start(plan, media.period + 1));
    EXPECT_DOUBLE_EQ(media.tint_hue, 90.0 * media.period);
    if (!media.is_video) log_por[media.period][media.family].push_back(std::log(post.por));
  }
  const auto mean = [](const std::vector<double>& values) {
    double sum = 0;
    for (double value : values) sum += value;
    return sum / static_cast<double>(values.size());
  };
  for (int period = 0; period < periods; ++period) {
    const std::vector<int> looks = drift_families_of(plan.preset, period);
    ASSERT_EQ(looks.size(), 2u);
    ASSERT_EQ(log_por[period].size(), 2u) << "period " << period << " posts other looks";
    const int stale = looks[0], fresh = looks[1];
    ASSERT_GE(log_por[period][stale].size(), 15u) << period;
    ASSERT_GE(log_por[period][fresh].size(), 15u) << period;
    const double gap = mean(log_por[period][fresh]) - mean(log_por[period][stale]);
    EXPECT_GT(gap, 0.7) << "period " << period;
    EXPECT_EQ(drifting_effect(plan.preset, fresh, period), 0.5);
    EXPECT_EQ(drifting_effect(plan.preset, stale, period), -0.5);
    if (period + 1 < periods) {
      EXPECT_EQ(drift_families_of(plan.preset, period + 1)[0], fresh);
    }
  }
}

}  // namespace
}  // namespace popsweep::synth
