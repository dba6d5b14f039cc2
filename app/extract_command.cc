#include <CLI/CLI.hpp>

#include <iostream>

#include "app/commands.h"
#include "app/single_job_options.h"

namespace popsweep::app {

void add_extract_command(CLI::App& app) {
  auto flags = std::make_shared<SingleJobFlags>();
  CLI::App* command = app.add_subcommand(
      "extract", "Embed every image (and its augmented views), video and thumbnail that has no features yet "
                 "(M11-M13); unreadable files are recorded and skipped");
  add_single_job_options(*command, flags, feature_flags());
  command->callback([flags] { orchestrator::run_single_extract(resolved_options(*flags), std::cout); });
}

void add_dedup_command(CLI::App& app) {
  auto flags = std::make_shared<SingleJobFlags>();
  auto pairs = std::make_shared<std::string>();
  auto histogram = std::make_shared<std::string>();
  CLI::App* command = app.add_subcommand(
      "dedup", "Find and remove near-duplicate media over extracted features (M7-M9); without --threshold a "
               "threshold is suggested from the nearest-neighbour histogram");
  auto dedup_flags = feature_flags();
  dedup_flags.emplace_back("--threshold", "dedup.threshold");
  dedup_flags.emplace_back("--verify", "dedup.verify");
  add_single_job_options(*command, flags, dedup_flags);
  command->add_option("--pairs", *pairs, "write the candidate pairs to this CSV, with whether each was kept and why");
  command->add_option("--histogram", *histogram, "write every image's nearest-neighbour distance to this CSV");
  command->callback([flags, pairs, histogram] {
    orchestrator::run_single_dedup(resolved_options(*flags), *pairs, *histogram, std::cout);
  });
}

}  // namespace popsweep::app
