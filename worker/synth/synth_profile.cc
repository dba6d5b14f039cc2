#include "worker/synth/synth_profile.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>

#include "common/error.h"
#include "worker/synth/media_renderer.h"
#include "worker/synth/profile_csv_writer.h"
#include "worker/synth/profile_planner.h"
#include "worker/synth/synth_presets.h"
#include "worker/synth/truth_writer.h"

namespace popsweep::synth {
namespace {

namespace fs = std::filesystem;

// Only the generator's own outputs are removed under --force; truth.json goes
// first, so an interrupted run never looks complete.
void prepare_output_dir(const std::string& directory, bool force) {
  if (directory.empty()) throw ConfigError("synth: no output directory given (--out)");
  std::error_code error;
  const fs::path root(directory);
  if (fs::exists(root, error) && !fs::is_directory(root, error)) {
    throw ConfigError("synth: " + directory + " exists and is not a directory");
  }
  if (fs::is_directory(root, error) && !fs::is_empty(root, error)) {
    if (!force) throw ConfigError("synth: " + directory + " is not empty (use --force to replace its profile)");
    for (const char* name : {"truth.json", "posts.csv", "followers.csv", "media"}) {
      fs::remove_all(root / name, error);
      if (error) throw Error("synth: cannot remove " + (root / name).string() + ": " + error.message());
    }
  }
  fs::create_directories(root / "media", error);
  if (error) throw Error("synth: cannot create " + (root / "media").string() + ": " + error.message());
}

SynthReport count(const ProfilePlan& plan) {
  SynthReport report;
  report.posts = static_cast<int>(plan.posts.size());
  for (const PlannedMedia& media : plan.media) {
    ++(media.is_video ? report.videos : report.images);
    if (media.duplicate_of >= 0) ++report.duplicates;
    if (media.copies_video >= 0) ++report.cross_type_copies;
    if (media.template_of >= 0) ++report.template_siblings;
    if (media.corruption != CorruptionKind::None) ++report.corrupt;
  }
  return report;
}

}  // namespace

SynthReport generate_synthetic_profile(const SynthOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  SynthPreset preset = preset_named(options.preset);
  preset.hour_effect = options.hour_effect;
  preset.time_trend = options.time_trend;
  if (options.no_visual_signal) {
    if (preset.signal != PopularitySignal::VisualFamily) {
      throw ConfigError("--no-visual-signal: preset '" + options.preset +
                        "' plants no visual-family signal to switch off");
    }
    preset.signal = PopularitySignal::PostOnly;
  }
  if (options.family_signal) {
    if (options.no_visual_signal)
      throw ConfigError("--family-signal and --no-visual-signal contradict each other");
    preset.signal = PopularitySignal::VisualFamily;
  }
  if (options.template_posts >= 0) preset.template_posts = options.template_posts;
  const ProfilePlan plan = plan_profile(preset, options.seed);
  prepare_output_dir(options.output_dir, options.force);
  spdlog::info("synth: writing {} media files of preset '{}' (seed {}) to {}", plan.media.size(), options.preset,
               options.seed, options.output_dir);
  render_all_media(plan, options.output_dir, options.threads);
  write_profile_csvs(plan, options.output_dir);
  write_truth(plan, options.output_dir);
  SynthReport report = count(plan);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

std::string describe(const SynthReport& report) {
  const std::string cross_type =
      report.cross_type_copies > 0 ? fmt::format(", {} images that are also a video", report.cross_type_copies) : "";
  const std::string templates =
      report.template_siblings > 0 ? fmt::format(", {} template post pairs (distinct)", report.template_siblings) : "";
  return fmt::format("synth: {} posts, {} images, {} videos ({} near-duplicates{}{}, {} corrupt files) in {:.1f} s\n",
                     report.posts, report.images, report.videos, report.duplicates, cross_type, templates,
                     report.corrupt, report.seconds);
}

}  // namespace popsweep::synth
