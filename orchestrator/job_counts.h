// The scheduler's progress figures (jobs per status, and how many wait on a
// failed dependency) kept up to date on each status change, so reporting
// progress costs the same at 100,000 jobs as at 100 instead of a walk over
// every job (and, for `blocked`, over its dependencies) twice a second.
//
// A job is blocked when it is neither done nor failed and one of its
// dependencies in the sweep is failed or itself blocked. Each job keeps the
// number of such "tainted" dependencies; a status change that taints or
// clears a job passes the change on to its dependents, and on from those
// whose own state changed. A job's taint changes only when its status or one
// of its dependencies' taint does, so the work per change is the part of the
// graph whose answer changes, never the whole sweep.
#pragma once

#include <cstdint>
#include <map>
#include <unordered_map>
#include <vector>

#include "storage/job_tables.h"

namespace popsweep::orchestrator {

class JobCounts {
 public:
  JobCounts() = default;
  // `statuses`: every job of the sweep; `dependencies`: job -> the jobs it
  // needs. Dependencies on jobs outside `statuses` are ignored, as the
  // scheduler ignores them. The graph must be acyclic (the job graph is).
  JobCounts(const std::map<std::int64_t, storage::JobStatus>& statuses,
            const std::map<std::int64_t, std::vector<std::int64_t>>& dependencies);

  // A job not among `statuses` is added (as the scheduler's own copy of the
  // table would add it), with no dependencies.
  void set_status(std::int64_t job, storage::JobStatus status);

  int total() const { return static_cast<int>(jobs_.size()); }
  int count(storage::JobStatus status) const {
    const auto found = by_status_.find(status);
    return found == by_status_.end() ? 0 : found->second;
  }
  int blocked() const { return blocked_; }

 private:
  struct Job {
    storage::JobStatus status = storage::JobStatus::Pending;
    int tainted_dependencies = 0;
    std::vector<std::int64_t> dependents;
  };
  static bool is_blocked(const Job& job);
  static bool is_tainted(const Job& job);
  // `job`'s taint went from !now to now: tell its dependents, transitively.
  void spread_taint(std::int64_t job, bool now);

  std::unordered_map<std::int64_t, Job> jobs_;
  std::map<storage::JobStatus, int> by_status_;
  int blocked_ = 0;
};

}  // namespace popsweep::orchestrator
