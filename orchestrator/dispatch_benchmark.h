// Coordinator overhead per job: N no-op jobs dispatched to the workers and
// recorded in the database, the same path real jobs take minus the work.
#pragma once

#include <string>

#include "orchestrator/launch.h"

namespace popsweep::orchestrator {

struct DispatchBenchmarkResult {
  int jobs = 0;
  int workers = 0;
  std::string transport;
  double seconds = 0;
};

// `db_path` must not exist yet: the benchmark owns the database it writes.
DispatchBenchmarkResult run_dispatch_benchmark(const std::string& db_path, int jobs, const WorkerLayout& layout);

}  // namespace popsweep::orchestrator
