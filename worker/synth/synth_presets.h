// The knobs of the synthetic profile generator, gathered per preset. `tiny`
// is for tests (a few seconds to generate); `paper` mirrors the size of the
// paper's data set (1613 images, 575 videos, ~1450 posts over five years).
// `cross-type`, `carousel-leak` and `drift` plant one leak each, so that a
// cleaning step or a split protocol can be measured against truth.json.
#pragma once

#include <string>
#include <vector>

namespace popsweep::synth {

// A share of the videos whose length falls in [min_seconds, max_seconds].
struct DurationBand {
  double min_seconds = 0;
  double max_seconds = 0;
  double weight = 0;
};

// Where a preset's popularity comes from (beside followers and media type).
enum class PopularitySignal {
  VisualFamily,  // each media's family shifts log PoR by the family's effect (visual_families.h)
  PostOnly,      // nothing visible: log PoR is noise, the same for every media of a post
  DriftingFamily,  // each period's new family is popular, last period's stale; pictures tinted by period
};

struct FrameRateChoice {
  int fps = 0;
  double weight = 0;
};

struct SynthPreset {
  std::string name;

  // Timeline: posts are spread over [start_date, start_date + span_days].
  std::string start_date;  // YYYY-MM-DD
  int span_days = 0;
  int posts = 0;
  int images = 0;  // every listed image file, duplicates and corrupt ones included
  int videos = 0;  // every listed video file, likewise
  int carousels = 0;
  double carousel_video_share = 0;  // of all videos, those inside carousels
  int max_carousel_size = 10;       // Instagram's limit

  // Followers (M2): exponential growth sampled about weekly by a tracker that
  // starts late, stops early and has a few long outages.
  double followers_start = 0;
  double followers_end = 0;
  int untracked_head_days = 0;  // posts before the first sample: extrapolated
  int untracked_tail_days = 0;  // posts after the last sample: extrapolated
  int long_gaps = 0;
  int long_gap_min_days = 0;
  int long_gap_max_days = 0;
  double skipped_week_probability = 0;

  // Popularity (M1, M6): log PoR = log(por_start) + elasticity * log(f / f0)
  // + mean family effect of the post's media + log(video factor) + noise.
  double por_start = 0;
  double por_follower_elasticity = 0;  // negative: PoR drifts down as f grows
  double video_por_factor = 0;         // image-only posts: 1 / factor as popular
  double noise_sigma = 0;
  // Context signal (issue 18): log PoR += hour_effect * cos(2 pi (h - 19.5) / 24),
  // h the post's UTC hour, so evening posts do better. 0 (every preset): none,
  // and the profile is byte-identical to one made before the signal existed.
  double hour_effect = 0;
  // A pure time trend (issue 18): log PoR += time_trend * (years since the
  // timeline's start). 0 (every preset): none, profiles byte-identical.
  double time_trend = 0;

  // Impressions (M3): known only over the last days of the timeline.
  int impressions_days = 0;
  double engagement_correlation = 0;  // Pearson of (likes+comments)/impressions vs PoR

  // Media.
  int image_size = 0;             // width; images are square or 4:5 portrait
  double portrait_share = 0;      // of the original images
  int video_width = 0;            // as coded; a rotated video displays sideways
  int video_height = 0;
  int video_crf = 0;              // x264 constant rate factor of originals
  std::vector<FrameRateChoice> frame_rates;
  std::vector<DurationBand> video_durations;
  int rotated_videos = 0;

  // What cleaning (M7, M8) must find and drop.
  int duplicate_images = 0;
  int duplicate_videos = 0;
  int truncated_jpegs = 0;
  int empty_files = 0;  // zero-byte .jpg
  int random_byte_files = 0;
  int truncated_mp4s = 0;

  // Cross-type duplicates: images that reproduce a video's thumbnail, and
  // images that reproduce the first frame of a video listed without one.
  int thumbnail_copies = 0;
  int first_frame_copies = 0;

  PopularitySignal signal = PopularitySignal::VisualFamily;
  std::vector<int> families;  // the families media draw from (empty: all); under drift, see below
  // A carousel's pictures are shots of one scene, each shifted by up to this
  // share of its side and with a grain of its own (0: distinct scenes).
  double carousel_shot_shift = 0;
  // DriftingFamily: the timeline is cut into drift_periods periods of equal
  // length; period p posts families[p] (stale: -drift_effect on log PoR) and
  // families[p + 1] (new: +drift_effect), and every picture is blended
  // towards the period's tint by period_tint_strength.
  int drift_periods = 0;
  double drift_effect = 0;
  double period_tint_strength = 0;

  // Template posts (issue 21): this many pairs of single-image posts share a
  // template (the same background and shapes, pixel for pixel, and a text
  // panel at the same place) but carry different text: distinct posts that
  // near-duplicate cleaning must keep. 0 (every preset): none, and the
  // profile is byte-identical to one made before they existed.
  int template_posts = 0;
};

// Throws ConfigError naming the known presets when `name` is not one of them.
SynthPreset preset_named(const std::string& name);
std::vector<std::string> preset_names();

// Throws ConfigError when the counts cannot be laid out as posts (for
// example more videos in carousels than carousel slots).
void validate_preset(const SynthPreset& preset);

// How many posts of each kind a valid preset makes, and how many media its
// carousels hold in all; one formula shared by validation and the planner.
struct PostKindCounts {
  int image_posts = 0;
  int video_posts = 0;
  int carousels = 0;
  int carousel_images = 0;
  int carousel_videos = 0;
};
PostKindCounts post_kind_counts(const SynthPreset& preset);

}  // namespace popsweep::synth
