#include "worker/synth/leak_planner.h"

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "common/error.h"

namespace popsweep::synth {
namespace {

// derive_seed stream of the carousel shots' grain.
constexpr std::uint64_t kShotGrainStream = 102;

int even(double value) { return 2 * static_cast<int>(std::lround(value / 2)); }

// Media that no duplicate pair, corruption or rotation involves: their
// content can be copied without making the planted truth ambiguous.
std::vector<int> plain_media(const ProfilePlan& plan, bool videos) {
  std::set<int> originals;
  for (const PlannedMedia& media : plan.media) {
    if (media.duplicate_of >= 0) originals.insert(media.duplicate_of);
  }
  std::vector<int> plain;
  for (size_t i = 0; i < plan.media.size(); ++i) {
    const PlannedMedia& media = plan.media[i];
    if (media.is_video != videos || media.duplicate_of >= 0 || originals.count(static_cast<int>(i)) ||
        media.corruption != CorruptionKind::None || media.video.rotation_clockwise != 0 ||
        media.copies_video >= 0) {
      continue;
    }
    plain.push_back(static_cast<int>(i));
  }
  return plain;
}

void copy_video_frame(ProfilePlan& plan, int image_index, int video_index, CrossTypeCopy kind) {
  PlannedMedia& image = plan.media[image_index];
  PlannedMedia& video = plan.media[video_index];
  image.family = video.family;
  image.content_seed = video.content_seed;
  image.copies_video = video_index;
  image.copy = kind;
  image.tint_hue = video.tint_hue;
  image.tint_strength = video.tint_strength;
  // The frame as displayed; the copy keeps its aspect at the image width.
  image.image.frame_width = video.video.width;
  image.image.frame_height = video.video.height;
  image.image.height = even(image.image.width * static_cast<double>(video.video.height) / video.video.width);
  if (kind == CrossTypeCopy::FirstFrame) video.thumbnail_path.clear();
}

}  // namespace

void plan_carousel_shots(SynthRandom& random, ProfilePlan& plan) {
  const double share = plan.preset.carousel_shot_shift;
  if (share <= 0) return;
  for (const PlannedPost& post : plan.posts) {
    if (post.kind != PlannedPostKind::Carousel) continue;
    int first_shot = -1;
    for (int index : post.media) {
      PlannedMedia& media = plan.media[index];
      if (media.is_video) continue;
      if (first_shot < 0) {
        first_shot = index;
        continue;
      }
      const PlannedMedia& scene = plan.media[first_shot];
      media.family = scene.family;
      media.content_seed = scene.content_seed;
      media.image.width = scene.image.width;
      media.image.height = scene.image.height;
      const int reach = std::max(1, static_cast<int>(std::lround(share * scene.image.width)));
      media.image.shift_x = random.integer(-reach, reach);
      media.image.shift_y = random.integer(-reach, reach);
      media.image.grain_seed = derive_seed(plan.seed, kShotGrainStream, static_cast<std::uint64_t>(index));
    }
  }
}

void plan_cross_type_copies(SynthRandom& random, ProfilePlan& plan) {
  const int wanted = plan.preset.thumbnail_copies + plan.preset.first_frame_copies;
  if (wanted == 0) return;
  std::vector<int> videos = plain_media(plan, true);
  random.shuffle(videos);
  for (int k = 0, placed = 0; k < static_cast<int>(videos.size()) && placed < wanted; ++k) {
    const int video = videos[k];
    std::vector<int> images;
    for (int image : plain_media(plan, false)) {
      if (plan.media[image].post != plan.media[video].post) images.push_back(image);
    }
    if (images.empty()) break;
    const int image = images[random.integer(0, static_cast<int>(images.size()) - 1)];
    const CrossTypeCopy kind =
        placed < plan.preset.thumbnail_copies ? CrossTypeCopy::Thumbnail : CrossTypeCopy::FirstFrame;
    copy_video_frame(plan, image, video, kind);
    ++placed;
  }
}

void plan_template_posts(SynthRandom& random, ProfilePlan& plan) {
  const int pairs = plan.preset.template_posts;
  if (pairs <= 0) return;
  std::vector<int> singles;
  for (int index : plain_media(plan, false)) {
    if (plan.posts[plan.media[index].post].kind == PlannedPostKind::Image) singles.push_back(index);
  }
  if (2 * pairs > static_cast<int>(singles.size())) {
    throw ConfigError("synth: " + std::to_string(pairs) + " template post pairs asked, but preset '" +
                      plan.preset.name + "' has only " + std::to_string(singles.size()) +
                      " plain single-image posts to make them from");
  }
  random.shuffle(singles);
  for (int k = 0; k + 1 < static_cast<int>(singles.size()) && k / 2 < pairs; k += 2) {
    const int earlier = std::min(singles[k], singles[k + 1]);
    const int later = std::max(singles[k], singles[k + 1]);
    PlannedMedia& sibling = plan.media[later];
    const PlannedMedia& original = plan.media[earlier];
    sibling.family = original.family;
    sibling.content_seed = original.content_seed;
    sibling.image.width = original.image.width;
    sibling.image.height = original.image.height;
    sibling.template_of = earlier;
    // Nonzero and distinct: each post says something else on the same card.
    plan.media[earlier].text_seed = random.bits() | 1;
    do {
      sibling.text_seed = random.bits() | 1;
    } while (sibling.text_seed == plan.media[earlier].text_seed);
  }
}

int drift_period_at(const ProfilePlan& plan, UnixSeconds at) {
  const int periods = plan.preset.drift_periods;
  const double share = static_cast<double>(at - plan.start) / static_cast<double>(plan.end - plan.start);
  return std::clamp(static_cast<int>(std::floor(share * periods)), 0, periods - 1);
}

UnixSeconds drift_period_start(const ProfilePlan& plan, int period) {
  return plan.start + (plan.end - plan.start) * period / plan.preset.drift_periods;
}

double drift_tint_hue(const SynthPreset& preset, int period) { return 360.0 * period / preset.drift_periods; }

double drifting_effect(const SynthPreset& preset, int family, int period) {
  const std::vector<int>& families = preset.families;
  if (family == families.at(period + 1)) return preset.drift_effect;  // the new look
  if (family == families.at(period)) return -preset.drift_effect;     // last period's look
  return 0;
}

std::vector<int> drift_families_of(const SynthPreset& preset, int period) {
  return {preset.families.at(period), preset.families.at(period + 1)};
}

void plan_drift_periods(ProfilePlan& plan) {
  if (plan.preset.signal != PopularitySignal::DriftingFamily) return;
  for (PlannedMedia& media : plan.media) {
    media.period = drift_period_at(plan, plan.posts[media.post].posted_at);
    media.tint_hue = drift_tint_hue(plan.preset, media.period);
    media.tint_strength = plan.preset.period_tint_strength;
  }
}

}  // namespace popsweep::synth
