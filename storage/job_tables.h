// Sweeps and jobs: the coordinator's record of what to run and what ran.
// A job is identified by its key (a hash of its stage and parameters), so
// re-expanding a spec finds the jobs it already has. Only the coordinator
// writes these tables; `status` and `report` read them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace popsweep::storage {

class Database;

struct SweepRow {
  std::int64_t id = 0;
  std::string name;
  std::string spec_text;
  std::string result_hash;
  std::int64_t seed = 0;
  std::int64_t created_at = 0;
  std::int64_t updated_at = 0;
  // The protocol of a sweep recorded before train.split existed ("media"),
  // empty otherwise: see the migration "split protocols".
  std::string legacy_split;
};

std::optional<SweepRow> find_sweep(Database& db, const std::string& name);
std::optional<SweepRow> find_sweep(Database& db, std::int64_t id);
std::vector<SweepRow> list_sweeps(Database& db);
// Creates the sweep or updates its spec; returns its id.
std::int64_t upsert_sweep(Database& db, const SweepRow& sweep);

// Pruned: a search's pruner stopped the job's trial at a rung (its results up
// to that rung are kept); finished, never failed, and never run again.
enum class JobStatus { Pending, Running, Done, Failed, Interrupted, Pruned };
const char* to_string(JobStatus status);
JobStatus parse_job_status(const std::string& text);

struct JobRow {
  std::int64_t id = 0;
  std::string key;
  std::string stage;
  std::string params;  // canonical JSON
  std::int64_t seed = 0;
  JobStatus status = JobStatus::Pending;
  int attempts = 0;
  std::string error;
  std::string worker;
  std::int64_t created_at = 0;
  std::optional<std::int64_t> started_at;
  std::optional<std::int64_t> finished_at;
  std::optional<double> seconds;
  // Times the job was left running when its sweep ended: stopped by a signal
  // (given back its attempt) and lost without one (the attempt counts).
  int preemptions = 0;
  int losses = 0;
  // Set while running once its worker confirmed that a stop reached it.
  std::optional<std::int64_t> stop_reached_at;
};

// Inserts the job if its key is new (status pending) and returns its id;
// an existing job keeps its status and results.
std::int64_t ensure_job(Database& db, const std::string& key, const std::string& stage, const std::string& params,
                        std::int64_t seed);
void add_dependency(Database& db, std::int64_t job_id, std::int64_t depends_on);
// Replaces the set of jobs a sweep consists of. `points` (optional, one per
// job) holds the JSON of the swept keys' values at the job's sweep point.
void set_sweep_jobs(Database& db, std::int64_t sweep_id, const std::vector<std::int64_t>& job_ids,
                    const std::vector<std::string>& points = {});
// job id -> the swept values of its sweep point (JSON text; "{}" when none).
std::map<std::int64_t, std::string> load_sweep_points(Database& db, std::int64_t sweep_id);

std::optional<JobRow> find_job(Database& db, std::int64_t id);
std::optional<JobRow> find_job_by_key(Database& db, const std::string& key);
std::vector<JobRow> load_sweep_jobs(Database& db, std::int64_t sweep_id);
std::map<std::int64_t, std::vector<std::int64_t>> load_dependencies(Database& db, std::int64_t sweep_id);

// Dispatched: uses one attempt, given back only if a stop reaches the job
// before it is lost (record_stop_reached) or it stops at a safe point.
void mark_job_running(Database& db, std::int64_t job_id, const std::string& worker, std::int64_t now);
// The running job's worker confirmed that a stop signal reached it. Recorded
// at once, so a job that never reaches its safe point before Slurm's KillWait
// is still known to have been preempted rather than to have killed its worker.
void record_stop_reached(Database& db, std::int64_t job_id, std::int64_t now);
// Done, with the time it took; callers write the job's results in the same transaction.
void mark_job_done(Database& db, std::int64_t job_id, double seconds, std::int64_t now);
// A failed attempt: back to pending while attempts remain, else failed.
JobStatus record_job_failure(Database& db, std::int64_t job_id, const std::string& error, int max_attempts,
                             std::int64_t now);
// Stopped by a signal or preemption: does not use up an attempt, counts a preemption.
void mark_job_interrupted(Database& db, std::int64_t job_id, const std::string& why, std::int64_t now);

// What requeue_running_jobs did with the jobs an earlier run left `running`.
struct RequeueCounts {
  int preempted = 0;  // a stop had reached them: attempt given back, run again
  int lost = 0;       // no stop: the attempt counts, run again while attempts remain
  int failed = 0;     // no stop and no attempt left: failed, saying how often it was lost
};
// At the start of a run. A job lost without a stop may be the one that killed
// its worker, and under MPI the whole job with it: it must not be retried
// forever across reruns and Slurm requeues.
RequeueCounts requeue_running_jobs(Database& db, std::int64_t sweep_id, int max_attempts);
// Failed jobs get a fresh set of attempts and losses (used by `popsweep run --retry-failed`).
int reset_failed_jobs(Database& db, std::int64_t sweep_id);

// The pruner stopped these done jobs' trials: done -> pruned (other statuses
// are left alone). Returns how many changed.
int mark_jobs_pruned(Database& db, const std::vector<std::int64_t>& job_ids);

std::map<JobStatus, int> count_jobs_by_status(Database& db, std::int64_t sweep_id);

}  // namespace popsweep::storage
