#include "worker/synth/synth_presets.h"

#include <cmath>

#include "common/error.h"
#include "worker/synth/visual_families.h"

namespace popsweep::synth {
namespace {

// Shared by both presets: what the paper reports or implies.
void set_popularity_model(SynthPreset& preset) {
  preset.por_start = 0.09;
  preset.por_follower_elasticity = -0.35;
  preset.video_por_factor = 0.69;  // image-only posts +45% (M6)
  preset.noise_sigma = 0.18;
  preset.engagement_correlation = 0.806;  // M3
}

// Low rates dominate because they keep files small and generation fast; the
// common camera rates are there so that frame sampling (M12) meets them.
std::vector<FrameRateChoice> frame_rate_mix() {
  return {{8, 0.35}, {10, 0.4}, {24, 0.08}, {25, 0.09}, {30, 0.08}};
}

SynthPreset tiny_preset() {
  SynthPreset preset;
  preset.name = "tiny";
  preset.start_date = "2019-01-07";
  preset.span_days = 365;
  preset.posts = 48;
  preset.images = 60;
  preset.videos = 12;
  preset.carousels = 8;
  preset.carousel_video_share = 0.25;
  preset.followers_start = 2500;
  preset.followers_end = 6000;
  preset.untracked_head_days = 60;
  preset.untracked_tail_days = 21;
  preset.long_gaps = 1;
  preset.long_gap_min_days = 28;
  preset.long_gap_max_days = 35;
  preset.skipped_week_probability = 0.05;
  set_popularity_model(preset);
  preset.impressions_days = 150;
  preset.image_size = 128;
  preset.portrait_share = 0.25;
  preset.video_width = 96;
  preset.video_height = 72;  // not square, so a rotation shows in the displayed size
  preset.video_crf = 30;
  preset.frame_rates = frame_rate_mix();
  preset.video_durations = {{3, 12, 0.35}, {15, 25, 0.55}, {61, 64, 0.1}};
  preset.rotated_videos = 2;
  preset.duplicate_images = 5;
  preset.duplicate_videos = 1;
  preset.truncated_jpegs = 1;
  preset.empty_files = 1;
  preset.random_byte_files = 1;
  preset.truncated_mp4s = 1;
  return preset;
}

SynthPreset paper_preset() {
  SynthPreset preset;
  preset.name = "paper";
  preset.start_date = "2016-01-04";
  preset.span_days = 5 * 365;
  preset.posts = 1450;
  preset.images = 1613;
  preset.videos = 575;
  preset.carousels = 320;
  preset.carousel_video_share = 0.25;
  preset.followers_start = 8000;
  preset.followers_end = 120000;
  preset.untracked_head_days = 150;
  preset.untracked_tail_days = 40;
  preset.long_gaps = 3;
  preset.long_gap_min_days = 28;
  preset.long_gap_max_days = 56;
  preset.skipped_week_probability = 0.06;
  set_popularity_model(preset);
  preset.impressions_days = 730;  // the paper had two years of impressions
  preset.image_size = 256;
  preset.portrait_share = 0.25;
  preset.video_width = 128;
  preset.video_height = 96;
  preset.video_crf = 30;
  preset.frame_rates = frame_rate_mix();
  preset.video_durations = {{4, 14.5, 0.12}, {15, 40, 0.76}, {40, 60, 0.04}, {61, 90, 0.08}};
  preset.rotated_videos = 25;
  // 1613 - 1469 = 144 images and 575 - 556 = 19 videos dropped by cleaning.
  preset.duplicate_images = 140;
  preset.duplicate_videos = 17;
  preset.truncated_jpegs = 2;
  preset.empty_files = 1;
  preset.random_byte_files = 1;
  preset.truncated_mp4s = 2;
  return preset;
}

// Between the two: enough media for the planted visual signal to be learnt
// reliably by every experiment (the tiny profile has 12 videos, so its
// accuracies are mostly luck), small enough for a test that trains 40 jobs
// on two cores in about a minute. Short videos keep rendering and seeking
// cheap; all 15 sampled frames still come from distinct seconds or less.
SynthPreset small_preset() {
  SynthPreset preset = tiny_preset();
  preset.name = "small";
  preset.start_date = "2018-01-01";
  preset.span_days = 2 * 365;
  preset.posts = 300;
  preset.images = 330;
  preset.videos = 150;
  preset.carousels = 30;
  preset.followers_start = 4000;
  preset.followers_end = 25000;
  preset.untracked_head_days = 90;
  preset.untracked_tail_days = 30;
  preset.long_gaps = 2;
  preset.impressions_days = 365;
  preset.image_size = 96;
  preset.video_durations = {{3, 12, 0.4}, {15, 20, 0.6}};
  preset.rotated_videos = 4;
  preset.duplicate_images = 8;
  preset.duplicate_videos = 3;
  return preset;
}

// `tiny` with more videos, and six images that are also a video: four copy
// a video's thumbnail, two the first frame of a video listed without one.
// Dedup across media types (M7-M9) must find exactly these pairs beside the
// usual ones.
SynthPreset cross_type_preset() {
  SynthPreset preset = tiny_preset();
  preset.name = "cross-type";
  preset.posts = 60;
  preset.images = 64;
  preset.videos = 20;
  preset.video_durations = {{3, 12, 0.6}, {15, 20, 0.4}};
  // Better quality than tiny's, so that a decoded first frame stays as near
  // its copy as a re-encoded picture does.
  preset.video_crf = 20;
  preset.thumbnail_copies = 4;
  preset.first_frame_copies = 2;
  return preset;
}

// What both leak presets share: a clean profile (no reposts, no corrupt
// files) small enough for a whole sweep in seconds: 64-pixel pictures, and a
// few short single videos so that every media type exists.
SynthPreset leak_base_preset() {
  SynthPreset preset = small_preset();
  preset.posts = 112;
  preset.images = 300;
  preset.videos = 12;
  preset.carousels = 100;
  preset.carousel_video_share = 0;
  preset.max_carousel_size = 4;
  preset.image_size = 64;
  preset.video_durations = {{3, 6, 1}};
  preset.rotated_videos = 0;
  preset.duplicate_images = 0;
  preset.duplicate_videos = 0;
  preset.truncated_jpegs = 0;
  preset.empty_files = 0;
  preset.random_byte_files = 0;
  preset.truncated_mp4s = 0;
  return preset;
}

// The only popularity a model can exploit is the post itself: 150 carousels
// over a year, each showing one scene shot 2-4 times (375 pictures, each shot
// shifted by up to 2% of a side, a pixel, with a grain of its own), and PoR
// is noise, unrelated to how a post looks. Folds that put a carousel on both
// sides of a split reward recognising the scene; folds over posts leave
// nothing to learn. With 20 posts or more in an 8-week window, the posts
// whose PoR ties the window's median (a carousel's media share one) shift the
// class balance by a few points only.
SynthPreset carousel_leak_preset() {
  SynthPreset preset = leak_base_preset();
  preset.name = "carousel-leak";
  preset.signal = PopularitySignal::PostOnly;
  preset.noise_sigma = 0.5;
  preset.span_days = 365;
  preset.posts = 162;
  preset.images = 375;
  preset.carousels = 150;
  preset.carousel_shot_shift = 0.02;
  return preset;
}

// Popularity that drifts: 300 single image posts over two years cut into
// four periods of six months. Each period posts two looks (visual families):
// last period's, no longer popular (log PoR -0.5), and a new one, popular
// (+0.5), which becomes the stale look of the next period. Every picture is
// blended 25% towards its period's hue (0, 90, 180, 270 degrees), so folds
// that mix periods can tell a look's popular period from its stale one, while
// training on the past only always meets a look just as it turns stale, and
// one never seen. (A look that simply swaps with another every period would
// need a model to learn an interaction of look and tint; this one is additive
// in them, which a linear head on random features can learn.)
SynthPreset drift_preset() {
  SynthPreset preset = leak_base_preset();
  preset.name = "drift";
  preset.posts = 312;
  preset.carousels = 0;
  preset.signal = PopularitySignal::DriftingFamily;
  // Random-weight features tell red discs (0) and green triangles (2) from
  // everything, the others less well from each other: the two looks of a
  // period are never two of the latter.
  preset.families = {3, 0, 4, 2, 1};
  preset.drift_periods = 4;
  preset.drift_effect = 0.5;
  preset.period_tint_strength = 0.25;
  return preset;
}

}  // namespace

std::vector<std::string> preset_names() { return {"tiny", "small", "paper", "cross-type", "carousel-leak", "drift"}; }

SynthPreset preset_named(const std::string& name) {
  if (name == "tiny") return tiny_preset();
  if (name == "small") return small_preset();
  if (name == "paper") return paper_preset();
  if (name == "cross-type") return cross_type_preset();
  if (name == "carousel-leak") return carousel_leak_preset();
  if (name == "drift") return drift_preset();
  throw ConfigError("unknown synth preset '" + name +
                    "' (expected tiny, small, paper, cross-type, carousel-leak or drift)");
}

PostKindCounts post_kind_counts(const SynthPreset& preset) {
  PostKindCounts counts;
  counts.carousels = preset.carousels;
  counts.carousel_videos = static_cast<int>(std::lround(preset.videos * preset.carousel_video_share));
  counts.video_posts = preset.videos - counts.carousel_videos;
  counts.image_posts = preset.posts - preset.carousels - counts.video_posts;
  counts.carousel_images = preset.images - counts.image_posts;
  return counts;
}

void validate_preset(const SynthPreset& preset) {
  const auto fail = [&](const std::string& why) {
    throw ConfigError("synth preset '" + preset.name + "': " + why);
  };
  const PostKindCounts counts = post_kind_counts(preset);
  const int carousel_slots = counts.carousel_images + counts.carousel_videos;
  if (preset.posts <= 0 || preset.span_days <= 0) fail("needs posts and a time span");
  if (counts.image_posts < 0 || counts.carousel_images < 0) fail("more video posts and carousels than posts");
  if (carousel_slots < 2 * preset.carousels) fail("too few media for carousels of at least 2");
  if (carousel_slots > preset.max_carousel_size * preset.carousels) fail("too many media for the carousels");
  if (preset.untracked_head_days + preset.untracked_tail_days + 30 > preset.span_days) {
    fail("the untracked head and tail leave no time for follower samples");
  }
  if (preset.long_gap_min_days <= 20 || preset.long_gap_max_days < preset.long_gap_min_days) {
    fail("long follower gaps must last more than 20 days");
  }
  const int corrupt_images = preset.truncated_jpegs + preset.empty_files + preset.random_byte_files;
  if (2 * preset.duplicate_images + corrupt_images > preset.images / 2)
    fail("too many duplicate or corrupt images");
  if (2 * preset.duplicate_videos + preset.truncated_mp4s + preset.rotated_videos > preset.videos) {
    fail("too many duplicate, corrupt or rotated videos");
  }
  if (preset.frame_rates.empty() || preset.video_durations.empty()) fail("needs frame rates and durations");
  for (const DurationBand& band : preset.video_durations) {
    if (band.min_seconds <= 0 || band.max_seconds < band.min_seconds) fail("bad video duration band");
  }
  if (preset.video_width % 2 || preset.video_height % 2) fail("video sizes must be even (yuv420p)");
  if (preset.image_size < 16 || preset.video_width < 16 || preset.video_height < 16) fail("media too small");
  const int copies = preset.thumbnail_copies + preset.first_frame_copies;
  if (copies < 0 || 2 * preset.duplicate_videos + preset.truncated_mp4s + preset.rotated_videos + copies > preset.videos) {
    fail("too few plain videos for the cross-type copies");
  }
  if (preset.carousel_shot_shift > 0 && preset.duplicate_images > 0) {
    fail("carousel shots and planted image duplicates do not mix");
  }
  for (int family : preset.families) {
    if (family < 0 || family >= static_cast<int>(visual_families().size())) fail("unknown visual family");
  }
  if (preset.signal == PopularitySignal::DriftingFamily &&
      (preset.drift_periods < 2 || preset.families.size() != static_cast<size_t>(preset.drift_periods) + 1)) {
    fail("drift needs at least two periods and one family more than periods");
  }
}

}  // namespace popsweep::synth
