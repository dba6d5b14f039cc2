// `popsweep synth`: generates a whole synthetic profile in the popsweep layout
// (docs/INPUT.md) with a known truth, for tests, demos and benchmarks.
//
// The folder `worker/synth/` owns this generator: presets, the plan (timeline,
// media files, followers, popularity), the painter of scenes, the H.264
// writer, corruption, and the CSV and truth.json writers. It uses nothing of
// the pipeline, so the pipeline can be tested against it.
#pragma once

#include <cstdint>
#include <string>

namespace popsweep::synth {

struct SynthOptions {
  std::string preset = "tiny";  // a name of preset_names() (synth_presets.h)
  std::uint64_t seed = 1;       // same preset and seed: byte-identical files
  std::string output_dir;
  bool force = false;  // write into a non-empty output_dir, replacing an earlier profile
  int threads = 2;     // media files rendered at once; the bytes do not depend on it
  double hour_effect = 0;  // planted hour-of-day effect on log PoR (SynthPreset::hour_effect)
  double time_trend = 0;   // planted trend of log PoR per year (SynthPreset::time_trend)
  // Switch the visual families' effect on popularity off (the pictures keep
  // their looks): only presets whose signal is the visual family.
  bool no_visual_signal = false;
  // The opposite: popularity follows the visual families (log PoR += the
  // mean family effect of the post's media) whatever the preset's own signal,
  // e.g. on the small, clean carousel-leak profile.
  bool family_signal = false;
  // Pairs of template posts (SynthPreset::template_posts); -1: the preset's.
  int template_posts = -1;
};

struct SynthReport {
  int posts = 0;
  int images = 0;  // listed image files, duplicates and corrupt ones included
  int videos = 0;
  int duplicates = 0;
  int cross_type_copies = 0;  // images that are also a video (cross-type preset)
  int template_siblings = 0;  // pairs of distinct posts on one template (--template-posts)
  int corrupt = 0;
  double seconds = 0;
};

// Writes media/, posts.csv, followers.csv and, last, truth.json. Throws
// ConfigError for an unknown preset or a non-empty output_dir without force,
// Error when a file cannot be written.
SynthReport generate_synthetic_profile(const SynthOptions& options);

// One line for the command line.
std::string describe(const SynthReport& report);

}  // namespace popsweep::synth
