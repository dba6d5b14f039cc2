#include <CLI/CLI.hpp>
#include <iostream>

#include "app/commands.h"
#include "worker/synth/synth_presets.h"
#include "worker/synth/synth_profile.h"

namespace popsweep::app {

void add_synth_command(CLI::App& app) {
  auto options = std::make_shared<synth::SynthOptions>();
  CLI::App* command =
      app.add_subcommand("synth", "Generate a synthetic profile with a known truth (truth.json)");
  command
      ->add_option(
          "--preset", options->preset,
          "tiny (quick tests), small (enough to learn the planted signal), paper (the paper's size), "
          "cross-type (images that are also a video), carousel-leak (only the post predicts popularity) or "
          "drift (popularity drifts over time)")
      ->check(CLI::IsMember(synth::preset_names()))
      ->default_str("tiny");
  command->add_option("--out", options->output_dir, "directory to write the profile to")->required();
  command->add_option("--seed", options->seed, "random seed; the same seed gives the same files")
      ->default_str("1");
  command->add_option("--threads", options->threads, "media files rendered at once")
      ->check(CLI::Range(1, 256))
      ->default_str("2");
  command
      ->add_option("--hour-effect", options->hour_effect,
                   "plant a context signal: log PoR += A cos(2 pi (h - 19.5) / 24), h the UTC hour "
                   "(truth.json's context_signal)")
      ->check(CLI::Range(-5.0, 5.0))
      ->default_str("0");
  command
      ->add_option("--time-trend", options->time_trend,
                   "plant a pure time trend: log PoR += B * years since the timeline's start "
                   "(truth.json's context_signal.time_trend)")
      ->check(CLI::Range(-5.0, 5.0))
      ->default_str("0");
  command->add_flag("--no-visual-signal", options->no_visual_signal,
                    "the visual families no longer move popularity (truth.json's popularity_signal says "
                    "post-only); with --hour-effect the only signal is the context");
  command->add_flag("--family-signal", options->family_signal,
                    "popularity follows the visual families whatever the preset's own signal (for example "
                    "on carousel-leak, whose pictures are small and clean)");
  command
      ->add_option("--template-posts", options->template_posts,
                   "plant N pairs of template posts: the same background and layout with different text, "
                   "distinct posts that dedup must keep (truth.json's template_siblings)")
      ->check(CLI::Range(0, 1000));
  command->add_flag("--force", options->force, "write into a non-empty directory, replacing its profile");
  command->callback([options] { std::cout << synth::describe(synth::generate_synthetic_profile(*options)); });
}

}  // namespace popsweep::app
