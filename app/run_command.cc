#include <CLI/CLI.hpp>

#include <cstdlib>
#include <string>
#include <tuple>
#include <iostream>

#include "app/commands.h"
#include "orchestrator/launch.h"
#include "orchestrator/mpi_transport.h"
#include "orchestrator/sweep_runner.h"

namespace popsweep::app {

void add_run_command(CLI::App& app) {
  auto options = std::make_shared<orchestrator::RunOptions>();
  CLI::App* command = app.add_subcommand(
      "run", "Run (or resume) the sweep of an experiment spec: plainly with a local worker pool, or under "
             "mpirun/srun with rank 0 as coordinator");
  command->add_option("spec", options->spec_path, "experiment spec (YAML; docs/SPEC.md)")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("overrides", options->overrides, "KEY=VALUE overrides, e.g. train.epochs=5 "
                                                       "sweep.labels.window_weeks=[4,8]");
  command->add_option("--db", options->database, "database (default: the spec's `database`, else NAME.db)");
  command->add_flag("--dry-run", options->dry_run, "print the jobs per stage and the first rows; run nothing");
  command->add_option("--new-sweep", options->new_sweep_name,
                      "run under this new sweep name (when the spec changed in a way that changes results)");
  command->add_flag("--retry-failed", options->retry_failed, "give failed jobs a fresh set of attempts");
  // Operational settings as flags too; they become overrides of the spec's
  // run.* keys, so the spec stays the one place they are read.
  for (const auto& [flag, key, help] :
       {std::tuple<const char*, const char*, const char*>{"--workers", "run.workers",
                                                          "local worker processes (run.workers; 0: split the cores)"},
        {"--threads", "run.threads_per_worker", "intra-op threads per worker (run.threads_per_worker)"},
        {"--device", "run.device", "auto, cpu or cuda:N (run.device)"}}) {
    const std::string spec_key = key;
    command->add_option_function<std::string>(
        flag, [options, spec_key](const std::string& value) { options->overrides.push_back(spec_key + "=" + value); },
        help);
  }
  command->callback([options] {
    if (orchestrator::MpiWorld* world = orchestrator::mpi_world(); world && world->rank() != 0) {
      orchestrator::run_sweep_worker(*options);
      return;
    }
    const int code = orchestrator::run_sweep(*options, std::cout);
    if (code != 0) {
      orchestrator::finish_mpi();
      std::exit(code);
    }
  });
}

}  // namespace popsweep::app
