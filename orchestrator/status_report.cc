#include "orchestrator/status_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "common/error.h"
#include "common/time_format.h"
#include "orchestrator/coordinator_lease.h"
#include "storage/database.h"
#include "storage/job_tables.h"
#include "storage/profile_tables.h"

namespace popsweep::orchestrator {
namespace {

using storage::JobRow;
using storage::JobStatus;

std::string describe_sweep(storage::Database& db, const storage::SweepRow& sweep) {
  const std::vector<JobRow> jobs = storage::load_sweep_jobs(db, sweep.id);
  std::map<std::string, std::map<JobStatus, int>> by_stage;
  std::vector<std::int64_t> finish_times;
  double busy_seconds = 0;
  int finished_with_time = 0;
  int preemptions = 0;
  int preempted_jobs = 0;
  for (const JobRow& job : jobs) {
    ++by_stage[job.stage][job.status];
    preemptions += job.preemptions;
    preempted_jobs += job.preemptions > 0;
    if (job.status == JobStatus::Done && job.finished_at) {
      finish_times.push_back(*job.finished_at);
      if (job.seconds) busy_seconds += *job.seconds, ++finished_with_time;
    }
  }
  std::string text = fmt::format("sweep '{}' (id {}), {} jobs\n", sweep.name, sweep.id, jobs.size());
  // A pruned search's jobs stopped by its pruner get a column of their own
  // (neither done nor failed); other sweeps keep the table they had.
  const bool any_pruned = std::any_of(jobs.begin(), jobs.end(),
                                      [](const JobRow& job) { return job.status == JobStatus::Pruned; });
  text += fmt::format("  {:<8} {:>8} {:>8} {:>8} {:>8} {:>12}", "stage", "pending", "running", "done",
                      "failed", "interrupted");
  text += any_pruned ? fmt::format(" {:>8}\n", "pruned") : "\n";
  int remaining = 0;
  for (const auto& [stage, counts] : by_stage) {
    auto count = [&](JobStatus s) { return counts.count(s) ? counts.at(s) : 0; };
    text += fmt::format("  {:<8} {:>8} {:>8} {:>8} {:>8} {:>12}", stage, count(JobStatus::Pending),
                        count(JobStatus::Running), count(JobStatus::Done), count(JobStatus::Failed),
                        count(JobStatus::Interrupted));
    text += any_pruned ? fmt::format(" {:>8}\n", count(JobStatus::Pruned)) : "\n";
    remaining += count(JobStatus::Pending) + count(JobStatus::Running) + count(JobStatus::Interrupted);
  }
  if (finish_times.size() >= 2) {
    std::sort(finish_times.begin(), finish_times.end());
    const double span = static_cast<double>(finish_times.back() - finish_times.front());
    const double rate = span > 0 ? (finish_times.size() - 1) / span : 0;
    text += fmt::format("  throughput {:.2f} jobs/min, mean job {:.2f} s", rate * 60,
                        finished_with_time ? busy_seconds / finished_with_time : 0.0);
    if (remaining > 0 && rate > 0) text += fmt::format(", ETA {:.0f} s for {} jobs", remaining / rate, remaining);
    text += fmt::format(", last finished {}\n", format_iso8601(finish_times.back()));
  }
  // Preempted is not failed: a stop signal (Slurm's warning, SIGTERM) gives the attempt back.
  if (preemptions > 0) {
    text += fmt::format("  preempted {} time(s) over {} job(s) (stopped by a signal: no attempt used)\n", preemptions,
                        preempted_jobs);
  }
  for (const JobRow& job : jobs) {
    if (job.status == JobStatus::Failed || (job.status != JobStatus::Done && !job.error.empty())) {
      text += fmt::format("  {} job {} ({}) after {} attempt(s){}: {}\n", storage::to_string(job.status), job.id,
                          job.stage, job.attempts,
                          job.preemptions ? fmt::format(", preempted {} time(s)", job.preemptions) : "", job.error);
    }
  }
  return text;
}

}  // namespace

std::string describe_status(storage::Database& db, const std::string& sweep) {
  std::vector<storage::SweepRow> sweeps;
  if (sweep.empty()) {
    sweeps = storage::list_sweeps(db);
  } else {
    std::optional<storage::SweepRow> found = storage::find_sweep(db, sweep);
    if (!found && std::all_of(sweep.begin(), sweep.end(), ::isdigit)) found = storage::find_sweep(db, std::stoll(sweep));
    if (!found) throw ConfigError("no sweep named '" + sweep + "' in " + db.path());
    sweeps.push_back(*found);
  }
  std::string text;
  if (sweeps.empty()) text += "no sweeps yet\n";
  for (const storage::SweepRow& row : sweeps) text += describe_sweep(db, row);
  const std::vector<storage::MediaProblem> problems = storage::load_media_problems(db);
  if (!problems.empty()) {
    text += fmt::format("{} media skipped:\n", problems.size());
    for (const storage::MediaProblem& problem : problems) {
      text += fmt::format("  {} ({}): {}\n", problem.path, problem.stage, problem.reason);
    }
  }
  return text;
}

std::string describe_coordinator(storage::Database& db) {
  return describe_lease(db, this_process_identity(), real_lease_world([](const std::string&) {}),
                        std::chrono::seconds(10));
}

}  // namespace popsweep::orchestrator
