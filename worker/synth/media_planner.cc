#include "worker/synth/media_planner.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace popsweep::synth {
namespace {

constexpr double kPortraitAspect = 1.25;  // Instagram's 4:5
// Of each side's length, both edges together: 0.4% to 1.2% (1 to 3 pixels of
// a 256-pixel side). A random-weight backbone is not shift invariant: on the
// paper-size profile a 1-pixel crop already moves an embedding 16% of the way
// to the nearest distinct picture (a JPEG re-encode at quality 70: 10%), and a
// 2.5% crop of the speckle family lands farther than distinct pictures do, so
// no threshold finds it (docs/BENCHMARKS.md, "Near-duplicate cleaning").
// Pretrained weights find larger crops; this keeps the planted truth one that
// `random` can be checked against.
constexpr double kMinCropShare = 0.004;
constexpr double kMaxCropShare = 0.012;

int even(double value) { return 2 * static_cast<int>(std::lround(value / 2)); }

std::vector<int> media_indices(const ProfilePlan& plan, bool videos) {
  std::vector<int> indices;
  for (size_t i = 0; i < plan.media.size(); ++i) {
    if (plan.media[i].is_video == videos) indices.push_back(static_cast<int>(i));
  }
  return indices;
}

void plan_image_formats(SynthRandom& random, ProfilePlan& plan) {
  for (int index : media_indices(plan, false)) {
    ImagePlan& image = plan.media[index].image;
    image.width = plan.preset.image_size;
    const bool portrait = random.chance(plan.preset.portrait_share);
    image.height = portrait ? even(image.width * kPortraitAspect) : image.width;
    image.jpeg_quality = random.integer(88, 95);
  }
}

void plan_video_formats(SynthRandom& random, ProfilePlan& plan) {
  const SynthPreset& preset = plan.preset;
  const std::vector<int> videos = media_indices(plan, true);
  std::vector<double> band_weights, rate_weights;
  for (const DurationBand& band : preset.video_durations) band_weights.push_back(band.weight);
  for (const FrameRateChoice& rate : preset.frame_rates) rate_weights.push_back(rate.weight);
  const int count = static_cast<int>(videos.size());
  const std::vector<size_t> bands = stratified_choices(band_weights, count, random);
  const std::vector<size_t> rates = stratified_choices(rate_weights, count, random);
  for (int i = 0; i < count; ++i) {
    VideoPlan& video = plan.media[videos[i]].video;
    const DurationBand& band = preset.video_durations[bands[i]];
    video.width = preset.video_width;
    video.height = preset.video_height;
    video.fps = preset.frame_rates[rates[i]].fps;
    video.frames = std::max(2, static_cast<int>(std::lround(random.uniform(band.min_seconds, band.max_seconds) *
                                                            video.fps)));
    video.crf = preset.video_crf;
    video.thumbnail_quality = random.integer(88, 95);
  }
}

// Reposts come from the later part of the timeline and each takes a distinct
// earlier original of the same media type, itself neither a repost nor spoilt.
void choose_duplicates(SynthRandom& random, ProfilePlan& plan, bool videos, int count) {
  const int earliest_post = std::max(1, static_cast<int>(plan.posts.size()) / 10);
  std::vector<int> candidates;
  for (int index : media_indices(plan, videos)) {
    if (plan.media[index].post >= earliest_post) candidates.push_back(index);
  }
  random.shuffle(candidates);
  candidates.resize(std::min<size_t>(candidates.size(), static_cast<size_t>(count)));
  std::sort(candidates.begin(), candidates.end());
  std::vector<bool> taken(plan.media.size(), false);
  for (int index : candidates) taken[index] = true;
  for (int duplicate : candidates) {
    std::vector<int> originals;
    for (int index : media_indices(plan, videos)) {
      if (!taken[index] && plan.media[index].post < plan.media[duplicate].post) originals.push_back(index);
    }
    if (originals.empty()) continue;
    const int original = originals[random.integer(0, static_cast<int>(originals.size()) - 1)];
    taken[original] = true;
    plan.media[duplicate].duplicate_of = original;
  }
}

bool is_original(const ProfilePlan& plan, int index) {
  return std::any_of(plan.media.begin(), plan.media.end(),
                     [&](const PlannedMedia& media) { return media.duplicate_of == index; });
}

// Media that no duplicate pair involves, in random order.
std::vector<int> unrelated_media(SynthRandom& random, const ProfilePlan& plan, bool videos) {
  std::vector<int> unrelated;
  for (int index : media_indices(plan, videos)) {
    const PlannedMedia& media = plan.media[index];
    if (media.duplicate_of < 0 && media.corruption == CorruptionKind::None && !is_original(plan, index)) {
      unrelated.push_back(index);
    }
  }
  random.shuffle(unrelated);
  return unrelated;
}

void choose_corruptions(SynthRandom& random, ProfilePlan& plan) {
  const SynthPreset& preset = plan.preset;
  std::vector<CorruptionKind> image_kinds;
  image_kinds.insert(image_kinds.end(), preset.truncated_jpegs, CorruptionKind::TruncatedJpeg);
  image_kinds.insert(image_kinds.end(), preset.empty_files, CorruptionKind::EmptyFile);
  image_kinds.insert(image_kinds.end(), preset.random_byte_files, CorruptionKind::RandomBytes);
  const std::vector<CorruptionKind> video_kinds(preset.truncated_mp4s, CorruptionKind::TruncatedMp4);
  for (bool videos : {false, true}) {
    const std::vector<CorruptionKind>& kinds = videos ? video_kinds : image_kinds;
    const std::vector<int> victims = unrelated_media(random, plan, videos);
    for (size_t i = 0; i < kinds.size() && i < victims.size(); ++i) {
      plan.media[victims[i]].corruption = kinds[i];
      plan.media[victims[i]].kept_fraction = random.uniform(0.3, 0.6);
    }
  }
}

// Phones store portrait video as landscape frames plus a display rotation;
// mostly a quarter turn clockwise, sometimes counter-clockwise.
void choose_rotations(SynthRandom& random, ProfilePlan& plan) {
  std::vector<int> rotatable;
  for (int index : media_indices(plan, true)) {
    const PlannedMedia& media = plan.media[index];
    if (media.duplicate_of < 0 && media.corruption == CorruptionKind::None) rotatable.push_back(index);
  }
  random.shuffle(rotatable);
  const size_t count = std::min<size_t>(rotatable.size(), static_cast<size_t>(plan.preset.rotated_videos));
  for (size_t i = 0; i < count; ++i) plan.media[rotatable[i]].video.rotation_clockwise = i % 3 == 2 ? 270 : 90;
}

void transform_image(SynthRandom& random, DuplicateTransform transform, ImagePlan& image) {
  switch (transform) {
    case DuplicateTransform::None: break;
    case DuplicateTransform::Reencode: image.jpeg_quality -= random.integer(15, 35); break;
    case DuplicateTransform::Rescale:
      image.rescale = random.chance(0.7) ? random.uniform(0.55, 0.85) : random.uniform(1.15, 1.35);
      image.jpeg_quality = random.integer(80, 92);
      break;
    case DuplicateTransform::Crop: {
      const double share = random.uniform(kMinCropShare, kMaxCropShare);
      // At least a pixel each way, so that a crop of a small image is still one.
      const int crop_width = std::max(1, static_cast<int>(std::lround(share * image.width)));
      const int crop_height = std::max(1, static_cast<int>(std::lround(share * image.height)));
      image.crop_left = random.integer(0, crop_width);
      image.crop_right = crop_width - image.crop_left;
      image.crop_top = random.integer(0, crop_height);
      image.crop_bottom = crop_height - image.crop_top;
      image.jpeg_quality = random.integer(80, 92);
      break;
    }
  }
}

// A repost shows its original's scene, at the original's size and length,
// altered as the transform says; videos are re-encoded at another quality.
void derive_duplicates(SynthRandom& random, ProfilePlan& plan) {
  std::vector<int> image_duplicates;
  for (size_t i = 0; i < plan.media.size(); ++i) {
    if (plan.media[i].duplicate_of >= 0 && !plan.media[i].is_video) image_duplicates.push_back(static_cast<int>(i));
  }
  const std::vector<size_t> transforms =
      stratified_choices({1, 1, 1}, static_cast<int>(image_duplicates.size()), random);
  size_t next_transform = 0;
  for (PlannedMedia& media : plan.media) {
    if (media.duplicate_of < 0) continue;
    const PlannedMedia& original = plan.media[media.duplicate_of];
    media.family = original.family;
    media.content_seed = original.content_seed;
    if (media.is_video) {
      media.transform = DuplicateTransform::Reencode;
      media.video = original.video;
      media.video.crf = original.video.crf + random.integer(3, 6);
      media.video.thumbnail_quality = random.integer(70, 85);
    } else {
      static constexpr DuplicateTransform kImageTransforms[] = {
          DuplicateTransform::Reencode, DuplicateTransform::Rescale, DuplicateTransform::Crop};
      media.transform = kImageTransforms[transforms[next_transform++]];
      media.image = original.image;
      transform_image(random, media.transform, media.image);
    }
  }
}

}  // namespace

std::vector<size_t> stratified_choices(const std::vector<double>& weights, int count, SynthRandom& random) {
  const double total = std::accumulate(weights.begin(), weights.end(), 0.0);
  std::vector<int> counts(weights.size(), 0);
  std::vector<std::pair<double, size_t>> remainders;
  int assigned = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    const double exact = total > 0 ? weights[i] / total * count : 0;
    counts[i] = static_cast<int>(exact);
    assigned += counts[i];
    remainders.push_back({-(exact - counts[i]), i});  // largest remainder first, then lowest index
  }
  std::sort(remainders.begin(), remainders.end());
  for (size_t k = 0; assigned < count; ++k, ++assigned) ++counts[remainders[k % remainders.size()].second];
  // Every weighted choice at least once, taken from the most frequent one.
  for (size_t i = 0; i < weights.size(); ++i) {
    const auto largest = std::max_element(counts.begin(), counts.end());
    if (weights[i] > 0 && counts[i] == 0 && *largest > 1) {
      --*largest;
      ++counts[i];
    }
  }
  std::vector<size_t> choices;
  for (size_t i = 0; i < counts.size(); ++i) choices.insert(choices.end(), counts[i], i);
  random.shuffle(choices);
  return choices;
}

void plan_media_files(SynthRandom& random, ProfilePlan& plan) {
  plan_image_formats(random, plan);
  plan_video_formats(random, plan);
  choose_duplicates(random, plan, false, plan.preset.duplicate_images);
  choose_duplicates(random, plan, true, plan.preset.duplicate_videos);
  choose_corruptions(random, plan);
  choose_rotations(random, plan);
  derive_duplicates(random, plan);
}

}  // namespace popsweep::synth
