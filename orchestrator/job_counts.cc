#include "orchestrator/job_counts.h"

namespace popsweep::orchestrator {

using storage::JobStatus;

JobCounts::JobCounts(const std::map<std::int64_t, JobStatus>& statuses,
                     const std::map<std::int64_t, std::vector<std::int64_t>>& dependencies) {
  jobs_.reserve(statuses.size());
  for (const auto& [id, status] : statuses) {
    jobs_[id].status = status;
    ++by_status_[status];
  }
  for (const auto& [id, needs] : dependencies) {
    if (!jobs_.count(id)) continue;
    for (const std::int64_t need : needs) {
      const auto found = jobs_.find(need);
      if (found != jobs_.end()) found->second.dependents.push_back(id);
    }
  }
  // Every job starts untainted; the taint then flows down from the failed
  // jobs, each job passing it on once, so this is linear in the graph.
  for (const auto& [id, status] : statuses) {
    if (status == JobStatus::Failed) spread_taint(id, true);
  }
}

bool JobCounts::is_blocked(const Job& job) {
  return job.status != JobStatus::Done && job.status != JobStatus::Failed && job.tainted_dependencies > 0;
}

bool JobCounts::is_tainted(const Job& job) { return job.status == JobStatus::Failed || is_blocked(job); }

void JobCounts::set_status(std::int64_t id, JobStatus status) {
  const auto found = jobs_.find(id);
  if (found == jobs_.end()) {  // a job the sweep did not list: counted, with no dependencies
    jobs_[id].status = status;
    ++by_status_[status];
    return;
  }
  Job& job = found->second;
  const bool was_blocked = is_blocked(job);
  const bool was_tainted = is_tainted(job);
  --by_status_[job.status];
  ++by_status_[status];
  job.status = status;
  blocked_ += static_cast<int>(is_blocked(job)) - static_cast<int>(was_blocked);
  if (is_tainted(job) != was_tainted) spread_taint(id, !was_tainted);
}

// One status change moves taint one way only (a job becomes tainted, so its
// dependents can only gain tainted dependencies, or the reverse), so applying
// the changes in any order ends in the same counts.
void JobCounts::spread_taint(std::int64_t start, bool now) {
  const int step = now ? 1 : -1;
  std::vector<std::int64_t> changed{start};
  while (!changed.empty()) {
    const std::int64_t id = changed.back();
    changed.pop_back();
    for (const std::int64_t dependent_id : jobs_.at(id).dependents) {
      Job& dependent = jobs_.at(dependent_id);
      const bool was_blocked = is_blocked(dependent);
      const bool was_tainted = is_tainted(dependent);
      dependent.tainted_dependencies += step;
      blocked_ += static_cast<int>(is_blocked(dependent)) - static_cast<int>(was_blocked);
      if (is_tainted(dependent) != was_tainted) changed.push_back(dependent_id);
    }
  }
}

}  // namespace popsweep::orchestrator
