#include "worker/synth/timeline_planner.h"

#include <algorithm>
#include <cstdio>

#include "common/error.h"
#include "worker/synth/leak_planner.h"
#include "worker/synth/visual_families.h"

namespace popsweep::synth {
namespace {

// derive_seed stream of the scenes; other streams belong to other files.
constexpr std::uint64_t kSceneStream = 101;

// Posting hours of a brand: mornings to late evenings, UTC.
constexpr UnixSeconds kFirstPostingSecond = 7 * 3600;
constexpr UnixSeconds kLastPostingSecond = 22 * 3600;

std::vector<UnixSeconds> draw_post_times(const ProfilePlan& plan, SynthRandom& random) {
  std::vector<UnixSeconds> times;
  for (int i = 0; i < plan.preset.posts; ++i) {
    const UnixSeconds day = random.integer(0, plan.preset.span_days - 1);
    const auto second = static_cast<UnixSeconds>(random.uniform(kFirstPostingSecond, kLastPostingSecond));
    times.push_back(plan.start + day * kSecondsPerDay + second);
  }
  std::sort(times.begin(), times.end());
  // Post times are unique, as on Instagram; a tie moves on by a second.
  for (size_t i = 1; i < times.size(); ++i) times[i] = std::max(times[i], times[i - 1] + 1);
  return times;
}

std::vector<PlannedPostKind> draw_post_kinds(const PostKindCounts& counts, SynthRandom& random) {
  std::vector<PlannedPostKind> kinds;
  kinds.insert(kinds.end(), counts.image_posts, PlannedPostKind::Image);
  kinds.insert(kinds.end(), counts.video_posts, PlannedPostKind::Video);
  kinds.insert(kinds.end(), counts.carousels, PlannedPostKind::Carousel);
  random.shuffle(kinds);
  return kinds;
}

// Each carousel's media as video flags: at least two media each, the rest of
// the slots spread at random, and the videos dealt round-robin over the
// carousels so that most carousels mix both kinds.
std::vector<std::vector<bool>> draw_carousel_layouts(const SynthPreset& preset, const PostKindCounts& counts,
                                                     SynthRandom& random) {
  std::vector<int> sizes(counts.carousels, 2);
  const int extra = counts.carousel_images + counts.carousel_videos - 2 * counts.carousels;
  for (int placed = 0; placed < extra;) {
    int& size = sizes[random.integer(0, counts.carousels - 1)];
    if (size < preset.max_carousel_size) {
      ++size;
      ++placed;
    }
  }
  std::vector<int> order(counts.carousels);
  for (int i = 0; i < counts.carousels; ++i) order[i] = i;
  random.shuffle(order);
  std::vector<int> videos(counts.carousels, 0);
  for (int placed = 0, turn = 0; placed < counts.carousel_videos; ++turn) {
    const int carousel = order[turn % counts.carousels];
    if (videos[carousel] < sizes[carousel]) {
      ++videos[carousel];
      ++placed;
    }
  }
  std::vector<std::vector<bool>> layouts;
  for (int i = 0; i < counts.carousels; ++i) {
    std::vector<bool> layout(sizes[i], false);
    std::fill(layout.begin(), layout.begin() + videos[i], true);
    random.shuffle(layout);
    layouts.push_back(layout);
  }
  return layouts;
}

std::string post_id(int number) {
  char text[16];
  std::snprintf(text, sizeof text, "p%04d", number);
  return text;
}

void add_media(ProfilePlan& plan, int post, bool is_video, SynthRandom& random) {
  PlannedPost& owner = plan.posts[post];
  PlannedMedia media;
  media.post = post;
  media.media_index = static_cast<int>(owner.media.size());
  media.is_video = is_video;
  const std::string stem = "media/" + owner.id + "_" + std::to_string(media.media_index);
  media.path = stem + (is_video ? ".mp4" : ".jpg");
  if (is_video) media.thumbnail_path = stem + ".jpg";
  std::vector<int> families = plan.preset.families;
  if (plan.preset.signal == PopularitySignal::DriftingFamily) {
    families = drift_families_of(plan.preset, drift_period_at(plan, owner.posted_at));
  }
  media.family = families.empty() ? random.integer(0, static_cast<int>(visual_families().size()) - 1)
                                  : families[random.integer(0, static_cast<int>(families.size()) - 1)];
  media.content_seed = derive_seed(plan.seed, kSceneStream, plan.media.size());
  owner.media.push_back(static_cast<int>(plan.media.size()));
  plan.media.push_back(media);
}

}  // namespace

void plan_timeline(SynthRandom& random, ProfilePlan& plan) {
  const SynthPreset& preset = plan.preset;
  const auto start = parse_iso8601(preset.start_date);
  if (!start) throw ConfigError("synth preset '" + preset.name + "': bad start date " + preset.start_date);
  plan.start = *start;
  plan.end = plan.start + preset.span_days * kSecondsPerDay;

  const PostKindCounts counts = post_kind_counts(preset);
  const std::vector<UnixSeconds> times = draw_post_times(plan, random);
  const std::vector<PlannedPostKind> kinds = draw_post_kinds(counts, random);
  const std::vector<std::vector<bool>> layouts = draw_carousel_layouts(preset, counts, random);
  size_t next_layout = 0;
  for (int i = 0; i < preset.posts; ++i) {
    PlannedPost post;
    post.id = post_id(i + 1);
    post.posted_at = times[i];
    post.kind = kinds[i];
    plan.posts.push_back(post);
    switch (post.kind) {
      case PlannedPostKind::Image: add_media(plan, i, false, random); break;
      case PlannedPostKind::Video: add_media(plan, i, true, random); break;
      case PlannedPostKind::Carousel:
        for (bool is_video : layouts[next_layout]) add_media(plan, i, is_video, random);
        ++next_layout;
        break;
    }
  }
}

}  // namespace popsweep::synth
