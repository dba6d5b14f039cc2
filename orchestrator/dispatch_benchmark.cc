#include "orchestrator/dispatch_benchmark.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "common/error.h"
#include "orchestrator/pipeline_handlers.h"
#include "orchestrator/scheduler.h"
#include "orchestrator/stages/noop_stage.h"
#include "storage/database.h"

namespace popsweep::orchestrator {

DispatchBenchmarkResult run_dispatch_benchmark(const std::string& db_path, int jobs, const WorkerLayout& layout) {
  if (std::filesystem::exists(db_path)) throw ConfigError(db_path + " exists; the benchmark needs a new database");
  const auto setup_began = std::chrono::steady_clock::now();
  storage::Database db = storage::Database::open(db_path);
  std::int64_t sweep = 0;
  {
    storage::Transaction transaction(db);
    sweep = storage::upsert_sweep(db, {0, "dispatch-benchmark", "", "", 0, 0, 0, ""});
    std::vector<std::int64_t> ids;
    const int shared_chain = 4;
    for (int i = 0; i < jobs; ++i) {
      ids.push_back(storage::ensure_job(db, "noop-" + std::to_string(i), "noop", "{}", 0));
      if (i > 0) storage::add_dependency(db, ids.back(), ids[static_cast<size_t>(std::min(i, shared_chain) - 1)]);
    }
    storage::set_sweep_jobs(db, sweep, ids);
    transaction.commit();
  }
  PipelineHandlers handlers;
  handlers.add_stage("noop", std::make_unique<NoopStage>());
  std::unique_ptr<CoordinatorTransport> transport = make_coordinator_transport(layout, {"cpu"});
  DispatchBenchmarkResult result;
  result.setup_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - setup_began).count();
  result.jobs = jobs;
  result.workers = transport->worker_count();
  result.transport = mpi_world() ? "mpi" : "local pool";
  const auto began = std::chrono::steady_clock::now();
  SchedulerOptions options;
  options.on_progress = [&result](const SchedulerProgress&) { ++result.progress_reports; };
  const SchedulerOutcome outcome = run_scheduler(db, sweep, *transport, handlers, options);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  transport->shutdown();
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) == 0) result.peak_rss_kb = usage.ru_maxrss;
  if (outcome.done != jobs) {
    throw Error("dispatch benchmark: only " + std::to_string(outcome.done) + " of " + std::to_string(jobs) +
                " jobs completed");
  }
  return result;
}

}  // namespace popsweep::orchestrator
