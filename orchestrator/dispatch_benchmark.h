// Coordinator overhead per job: N no-op jobs dispatched to the workers and
// recorded in the database, the same path real jobs take minus the work. The
// jobs depend on each other as a sweep's do (a chain of 4 shared jobs, as
// ingest, label, extract and dedup, then every other job needing the last of
// them), and progress is reported as `popsweep run` reports it, so what the
// scheduler does per job and per progress line is in the figure.
#pragma once

#include <string>

#include "orchestrator/launch.h"

namespace popsweep::orchestrator {

struct DispatchBenchmarkResult {
  int jobs = 0;
  int workers = 0;
  std::string transport;
  double seconds = 0;        // from the first dispatch to the last job recorded
  double setup_seconds = 0;  // writing the jobs into the new database
  int progress_reports = 0;
  long peak_rss_kb = 0;  // the coordinator's (this process's) peak resident memory
};

// `db_path` must not exist yet: the benchmark owns the database it writes.
DispatchBenchmarkResult run_dispatch_benchmark(const std::string& db_path, int jobs, const WorkerLayout& layout);

}  // namespace popsweep::orchestrator
