#include "orchestrator/gang_placement.h"

#include <algorithm>
#include <string>

#include "common/error.h"

namespace popsweep::orchestrator {

PlacementPlan place_jobs(const std::vector<JobDemand>& ready, std::vector<int> idle, bool hold) {
  PlacementPlan plan;
  for (const JobDemand& job : ready) {
    if (idle.empty()) break;
    const auto wanted = static_cast<size_t>(std::max(1, job.workers));
    if (wanted > idle.size()) {
      if (!plan.waiting_gang) {
        plan.waiting_gang = job.job_id;
        if (hold) break;
      }
      continue;
    }
    Placement placement{job.job_id,
                        std::vector<int>(idle.begin(), idle.begin() + static_cast<std::ptrdiff_t>(wanted))};
    idle.erase(idle.begin(), idle.begin() + static_cast<std::ptrdiff_t>(wanted));
    plan.placed.push_back(std::move(placement));
  }
  return plan;
}

void check_gang_size(int ranks_per_job, int workers, bool under_mpi) {
  if (ranks_per_job <= 1 || ranks_per_job <= workers) return;
  if (under_mpi) {
    throw ConfigError("run.ranks_per_job is " + std::to_string(ranks_per_job) + ", more than the " +
                      std::to_string(workers) +
                      " worker rank(s) of this MPI job (rank 0 coordinates): a training job could never "
                      "start; start at least " +
                      std::to_string(ranks_per_job + 1) + " ranks (mpirun -np, srun -n)");
  }
  throw ConfigError("run.ranks_per_job is " + std::to_string(ranks_per_job) + ", more than the " +
                    std::to_string(workers) +
                    " worker(s) of the local pool (run.workers): a training job could "
                    "never start");
}

}  // namespace popsweep::orchestrator
