// Which ready jobs start now, and on which idle workers, when a job may need
// several workers at once (a data-parallel gang, run.ranks_per_job). Pure, so
// the rules are tested apart from the scheduler.
//
// Jobs are taken in their order (lowest id first); a job that fits in the
// idle workers left takes the first of them. A gang that does not fit waits,
// and jobs behind it that fit take the idle workers meanwhile (backfill), so
// no worker idles while there is work it can take, and nothing deadlocks:
// a waiting gang holds no busy worker. Backfill alone could starve a gang
// (small jobs taking every worker that frees up), so once the first waiting
// gang has waited long enough the caller passes `hold`: then it keeps the
// idle workers, jobs behind it wait, and it starts when enough are free.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace popsweep::orchestrator {

struct JobDemand {
  std::int64_t job_id = 0;
  int workers = 1;
};

struct Placement {
  std::int64_t job_id = 0;
  std::vector<int> workers;  // workers[r] runs rank r
};

struct PlacementPlan {
  std::vector<Placement> placed;
  std::optional<std::int64_t> waiting_gang;  // the first job that did not fit
};

// `ready`: in the order they should start; `idle`: the idle workers, in the
// order they should be used.
PlacementPlan place_jobs(const std::vector<JobDemand>& ready, std::vector<int> idle, bool hold);

// Before any job runs: a ConfigError when gangs of `ranks_per_job` cannot
// run here (more ranks than `workers`: the local pool's, or under MPI the
// worker ranks, every rank but 0).
void check_gang_size(int ranks_per_job, int workers, bool under_mpi);

}  // namespace popsweep::orchestrator
