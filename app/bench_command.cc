#include <CLI/CLI.hpp>

#include <fmt/format.h>

#include <iostream>

#include "app/commands.h"
#include "orchestrator/dispatch_benchmark.h"
#include "orchestrator/mpi_transport.h"
#include "orchestrator/worker_main.h"

namespace popsweep::app {

void add_bench_command(CLI::App& app) {
  CLI::App* bench = app.add_subcommand("bench", "Built-in benchmarks (see bench/README.md)");
  bench->require_subcommand(1);
  struct Options {
    std::string db_path;
    int jobs = 10000;
    int workers = 0;
  };
  auto options = std::make_shared<Options>();
  CLI::App* dispatch = bench->add_subcommand(
      "dispatch", "Coordinator overhead: N no-op jobs dispatched and recorded (local pool, or MPI under mpirun)");
  dispatch->add_option("--db", options->db_path, "a new database file to write")->required();
  dispatch->add_option("--jobs", options->jobs, "number of no-op jobs")->capture_default_str();
  dispatch->add_option("--workers", options->workers, "local workers (0: one per two cores)");
  dispatch->callback([options] {
    if (orchestrator::MpiWorld* world = orchestrator::mpi_world(); world && world->rank() != 0) {
      orchestrator::run_mpi_worker(*world, {});
      return;
    }
    const orchestrator::WorkerLayout layout = orchestrator::choose_worker_layout(options->workers, 1);
    const orchestrator::DispatchBenchmarkResult result =
        orchestrator::run_dispatch_benchmark(options->db_path, options->jobs, layout);
    std::cout << fmt::format("setup {:.3f} s; {} progress reports; coordinator peak RSS {:.1f} MB\n",
                             result.setup_seconds, result.progress_reports, result.peak_rss_kb / 1024.0);
    // The last line, which bench/dispatch.sh reads.
    std::cout << fmt::format("{} no-op jobs, {} workers ({}): {:.3f} s, {:.0f} jobs/s, {:.1f} us/job\n", result.jobs,
                             result.workers, result.transport, result.seconds, result.jobs / result.seconds,
                             1e6 * result.seconds / result.jobs);
  });
}

}  // namespace popsweep::app
