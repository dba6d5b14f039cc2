#include "orchestrator/dispatch_benchmark.h"

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
  storage::Database db = storage::Database::open(db_path);
  std::int64_t sweep = 0;
  {
    storage::Transaction transaction(db);
    sweep = storage::upsert_sweep(db, {0, "dispatch-benchmark", "", "", 0, 0, 0, ""});
    std::vector<std::int64_t> ids;
    for (int i = 0; i < jobs; ++i) {
      ids.push_back(storage::ensure_job(db, "noop-" + std::to_string(i), "noop", "{}", 0));
    }
    storage::set_sweep_jobs(db, sweep, ids);
    transaction.commit();
  }
  PipelineHandlers handlers;
  handlers.add_stage("noop", std::make_unique<NoopStage>());
  std::unique_ptr<CoordinatorTransport> transport = make_coordinator_transport(layout, {"cpu"});
  DispatchBenchmarkResult result;
  result.jobs = jobs;
  result.workers = transport->worker_count();
  result.transport = mpi_world() ? "mpi" : "local pool";
  const auto began = std::chrono::steady_clock::now();
  const SchedulerOutcome outcome = run_scheduler(db, sweep, *transport, handlers, SchedulerOptions{});
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  transport->shutdown();
  if (outcome.done != jobs) {
    throw Error("dispatch benchmark: only " + std::to_string(outcome.done) + " of " + std::to_string(jobs) +
                " jobs completed");
  }
  return result;
}

}  // namespace popsweep::orchestrator
