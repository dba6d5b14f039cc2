#include "storage/job_tables.h"

#include "storage/database.h"

namespace popsweep::storage {
namespace {

const char* const kJobColumns =
    "id, job_key, stage, params, seed, status, attempts, error, worker, created_at, started_at, finished_at, seconds, "
    "preemptions, losses, stop_reached_at";

JobRow read_job(const Statement& q) {
  JobRow row;
  row.id = q.column_int(0);
  row.key = q.column_text(1);
  row.stage = q.column_text(2);
  row.params = q.column_text(3);
  row.seed = q.column_int(4);
  row.status = parse_job_status(q.column_text(5));
  row.attempts = static_cast<int>(q.column_int(6));
  row.error = q.column_text(7);
  row.worker = q.column_text(8);
  row.created_at = q.column_int(9);
  row.started_at = q.column_optional_int(10);
  row.finished_at = q.column_optional_int(11);
  if (!q.column_is_null(12)) row.seconds = q.column_double(12);
  row.preemptions = static_cast<int>(q.column_int(13));
  row.losses = static_cast<int>(q.column_int(14));
  row.stop_reached_at = q.column_optional_int(15);
  return row;
}

SweepRow read_sweep(const Statement& q) {
  return {q.column_int(0), q.column_text(1), q.column_text(2),
          q.column_text(3), q.column_int(4), q.column_int(5), q.column_int(6),
          q.column_is_null(7) ? std::string() : q.column_text(7)};
}

const char* const kSweepColumns = "id, name, spec_text, result_hash, seed, created_at, updated_at, legacy_split";

}  // namespace

const char* to_string(JobStatus status) {
  switch (status) {
    case JobStatus::Pending: return "pending";
    case JobStatus::Running: return "running";
    case JobStatus::Done: return "done";
    case JobStatus::Failed: return "failed";
    case JobStatus::Interrupted: return "interrupted";
    case JobStatus::Pruned: return "pruned";
  }
  return "pending";
}

JobStatus parse_job_status(const std::string& text) {
  if (text == "running") return JobStatus::Running;
  if (text == "done") return JobStatus::Done;
  if (text == "failed") return JobStatus::Failed;
  if (text == "interrupted") return JobStatus::Interrupted;
  if (text == "pending") return JobStatus::Pending;
  if (text == "pruned") return JobStatus::Pruned;
  throw StorageError("unknown job status '" + text + "'");
}

std::optional<SweepRow> find_sweep(Database& db, const std::string& name) {
  Statement q = db.prepare(std::string("SELECT ") + kSweepColumns + " FROM sweeps WHERE name = ?");
  q.bind(1, name);
  if (!q.step()) return std::nullopt;
  return read_sweep(q);
}

std::optional<SweepRow> find_sweep(Database& db, std::int64_t id) {
  Statement q = db.prepare(std::string("SELECT ") + kSweepColumns + " FROM sweeps WHERE id = ?");
  q.bind(1, id);
  if (!q.step()) return std::nullopt;
  return read_sweep(q);
}

std::vector<SweepRow> list_sweeps(Database& db) {
  Statement q = db.prepare(std::string("SELECT ") + kSweepColumns + " FROM sweeps ORDER BY id");
  std::vector<SweepRow> rows;
  while (q.step()) rows.push_back(read_sweep(q));
  return rows;
}

std::int64_t upsert_sweep(Database& db, const SweepRow& sweep) {
  db.prepare(
        "INSERT INTO sweeps (name, spec_text, result_hash, seed, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET spec_text = excluded.spec_text, result_hash = excluded.result_hash, "
        "seed = excluded.seed, updated_at = excluded.updated_at")
      .bind_all(sweep.name, sweep.spec_text, sweep.result_hash, sweep.seed, sweep.updated_at, sweep.updated_at)
      .run();
  return find_sweep(db, sweep.name)->id;
}

std::int64_t ensure_job(Database& db, const std::string& key, const std::string& stage, const std::string& params,
                        std::int64_t seed) {
  if (const std::optional<JobRow> existing = find_job_by_key(db, key)) return existing->id;
  db.prepare("INSERT INTO jobs (job_key, stage, params, seed, created_at) VALUES (?, ?, ?, ?, strftime('%s','now'))")
      .bind_all(key, stage, params, seed)
      .run();
  return db.last_insert_id();
}

void add_dependency(Database& db, std::int64_t job_id, std::int64_t depends_on) {
  db.prepare("INSERT OR IGNORE INTO job_dependencies (job_id, depends_on) VALUES (?, ?)")
      .bind_all(job_id, depends_on)
      .run();
}

void set_sweep_jobs(Database& db, std::int64_t sweep_id, const std::vector<std::int64_t>& job_ids,
                    const std::vector<std::string>& points) {
  db.prepare("DELETE FROM sweep_jobs WHERE sweep_id = ?").bind(1, sweep_id).run();
  Statement insert = db.prepare("INSERT OR IGNORE INTO sweep_jobs (sweep_id, job_id, point) VALUES (?, ?, ?)");
  for (size_t i = 0; i < job_ids.size(); ++i) {
    insert.bind_all(sweep_id, job_ids[i], i < points.size() ? points[i] : std::string("{}")).run();
  }
}

std::map<std::int64_t, std::string> load_sweep_points(Database& db, std::int64_t sweep_id) {
  Statement q = db.prepare("SELECT job_id, COALESCE(point, '{}') FROM sweep_jobs WHERE sweep_id = ?");
  q.bind(1, sweep_id);
  std::map<std::int64_t, std::string> points;
  while (q.step()) points[q.column_int(0)] = q.column_text(1);
  return points;
}

std::optional<JobRow> find_job(Database& db, std::int64_t id) {
  Statement q = db.prepare(std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = ?");
  q.bind(1, id);
  if (!q.step()) return std::nullopt;
  return read_job(q);
}

std::optional<JobRow> find_job_by_key(Database& db, const std::string& key) {
  Statement q = db.prepare(std::string("SELECT ") + kJobColumns + " FROM jobs WHERE job_key = ?");
  q.bind(1, key);
  if (!q.step()) return std::nullopt;
  return read_job(q);
}

std::vector<JobRow> load_sweep_jobs(Database& db, std::int64_t sweep_id) {
  Statement q = db.prepare(std::string("SELECT ") + kJobColumns +
                           " FROM jobs WHERE id IN (SELECT job_id FROM sweep_jobs WHERE sweep_id = ?) ORDER BY id");
  q.bind(1, sweep_id);
  std::vector<JobRow> rows;
  while (q.step()) rows.push_back(read_job(q));
  return rows;
}

std::map<std::int64_t, std::vector<std::int64_t>> load_dependencies(Database& db, std::int64_t sweep_id) {
  Statement q = db.prepare(
      "SELECT job_id, depends_on FROM job_dependencies WHERE job_id IN "
      "(SELECT job_id FROM sweep_jobs WHERE sweep_id = ?)");
  q.bind(1, sweep_id);
  std::map<std::int64_t, std::vector<std::int64_t>> dependencies;
  while (q.step()) dependencies[q.column_int(0)].push_back(q.column_int(1));
  return dependencies;
}

void mark_job_running(Database& db, std::int64_t job_id, const std::string& worker, std::int64_t now) {
  db.prepare(
        "UPDATE jobs SET status = 'running', attempts = attempts + 1, worker = ?, started_at = ?, "
        "finished_at = NULL, error = NULL, stop_reached_at = NULL WHERE id = ?")
      .bind_all(worker, now, job_id)
      .run();
}

void record_stop_reached(Database& db, std::int64_t job_id, std::int64_t now) {
  db.prepare(
        "UPDATE jobs SET stop_reached_at = ? WHERE id = ? AND status = 'running' AND stop_reached_at IS NULL")
      .bind_all(now, job_id)
      .run();
}

void mark_job_done(Database& db, std::int64_t job_id, double seconds, std::int64_t now) {
  db.prepare("UPDATE jobs SET status = 'done', finished_at = ?, seconds = ?, error = NULL WHERE id = ?")
      .bind_all(now, seconds, job_id)
      .run();
}

JobStatus record_job_failure(Database& db, std::int64_t job_id, const std::string& error, int max_attempts,
                             std::int64_t now) {
  const std::optional<JobRow> job = find_job(db, job_id);
  if (!job) throw StorageError("no job " + std::to_string(job_id));
  const JobStatus status = job->attempts >= max_attempts ? JobStatus::Failed : JobStatus::Pending;
  db.prepare("UPDATE jobs SET status = ?, error = ?, finished_at = ? WHERE id = ?")
      .bind_all(to_string(status), error, now, job_id)
      .run();
  return status;
}

void mark_job_interrupted(Database& db, std::int64_t job_id, const std::string& why, std::int64_t now) {
  db.prepare(
        "UPDATE jobs SET status = 'interrupted', attempts = MAX(attempts - 1, 0), preemptions = preemptions + 1, "
        "stop_reached_at = NULL, error = ?, finished_at = ? WHERE id = ?")
      .bind_all(why, now, job_id)
      .run();
}

RequeueCounts requeue_running_jobs(Database& db, std::int64_t sweep_id, int max_attempts) {
  const std::string left_running =
      " WHERE status = 'running' AND id IN (SELECT job_id FROM sweep_jobs WHERE sweep_id = ?)";
  RequeueCounts counts;
  db.prepare("UPDATE jobs SET status = 'pending', attempts = MAX(attempts - 1, 0), preemptions = preemptions + 1, "
             "stop_reached_at = NULL, error = 'preempted: a stop signal reached it before it was lost'" +
             left_running + " AND stop_reached_at IS NOT NULL")
      .bind(1, sweep_id)
      .run();
  counts.preempted = db.changes();
  // The failed ones first: the next statement takes every job still running.
  db.prepare("UPDATE jobs SET status = 'failed', losses = losses + 1, "
             "error = printf('lost %d time(s) while running, last on %s, with no stop signal before: it may kill "
             "its worker (under MPI the whole MPI job); %d of %d attempt(s) used', "
             "losses + 1, COALESCE(worker, 'an unknown worker'), attempts, ?)" +
             left_running + " AND attempts >= ?")
      .bind_all(max_attempts, sweep_id, max_attempts)
      .run();
  counts.failed = db.changes();
  db.prepare("UPDATE jobs SET status = 'pending', losses = losses + 1, "
             "error = printf('lost while running on %s, with no stop signal before (attempt %d of %d)', "
             "COALESCE(worker, 'an unknown worker'), attempts, ?)" +
             left_running)
      .bind_all(max_attempts, sweep_id)
      .run();
  counts.lost = db.changes();
  return counts;
}

int reset_failed_jobs(Database& db, std::int64_t sweep_id) {
  db.prepare(
        "UPDATE jobs SET status = 'pending', attempts = 0, losses = 0 WHERE status = 'failed' AND id IN "
        "(SELECT job_id FROM sweep_jobs WHERE sweep_id = ?)")
      .bind(1, sweep_id)
      .run();
  return db.changes();
}

int mark_jobs_pruned(Database& db, const std::vector<std::int64_t>& job_ids) {
  int changed = 0;
  Statement update = db.prepare("UPDATE jobs SET status = 'pruned' WHERE id = ? AND status = 'done'");
  for (const std::int64_t id : job_ids) {
    update.bind_all(id).run();
    changed += db.changes();
  }
  return changed;
}

std::map<JobStatus, int> count_jobs_by_status(Database& db, std::int64_t sweep_id) {
  Statement q = db.prepare(
      "SELECT status, COUNT(*) FROM jobs WHERE id IN (SELECT job_id FROM sweep_jobs WHERE sweep_id = ?) "
      "GROUP BY status");
  q.bind(1, sweep_id);
  std::map<JobStatus, int> counts;
  while (q.step()) counts[parse_job_status(q.column_text(0))] = static_cast<int>(q.column_int(1));
  return counts;
}

}  // namespace popsweep::storage
