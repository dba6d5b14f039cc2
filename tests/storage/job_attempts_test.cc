// Attempts, preemptions and losses of jobs (migration 9): an attempt counts
// from the dispatch and is given back only when a stop reached the job before
// it was lost, so a job that kills its worker cannot be retried forever.
#include <gtest/gtest.h>

#include "storage/database.h"
#include "storage/job_tables.h"

namespace popsweep::storage {
namespace {

struct Jobs {
  Database db = Database::open_in_memory();
  std::int64_t sweep = upsert_sweep(db, {0, "s", "", "h", 1, 0, 0, ""});
  std::int64_t job = 0;
  std::int64_t bystander = 0;

  Jobs() {
    job = ensure_job(db, "train-a", "train", "{}", 0);
    bystander = ensure_job(db, "train-b", "train", "{}", 0);
    set_sweep_jobs(db, sweep, {job, bystander});
  }
  JobRow row(std::int64_t id) { return *find_job(db, id); }
};

TEST(JobAttempts, ALossWithoutAStopKeepsTheAttemptUntilTheJobFails) {
  Jobs j;
  mark_job_running(j.db, j.job, "rank-1", 10);
  RequeueCounts counts = requeue_running_jobs(j.db, j.sweep, 2);
  EXPECT_EQ(counts.lost, 1);
  EXPECT_EQ(counts.failed, 0);
  EXPECT_EQ(counts.preempted, 0);
  JobRow row = j.row(j.job);
  EXPECT_EQ(row.status, JobStatus::Pending);
  EXPECT_EQ(row.attempts, 1);
  EXPECT_EQ(row.losses, 1);
  EXPECT_EQ(row.error, "lost while running on rank-1, with no stop signal before (attempt 1 of 2)");

  mark_job_running(j.db, j.job, "rank-2", 20);
  counts = requeue_running_jobs(j.db, j.sweep, 2);
  EXPECT_EQ(counts.failed, 1);
  row = j.row(j.job);
  EXPECT_EQ(row.status, JobStatus::Failed);
  EXPECT_EQ(row.attempts, 2);
  EXPECT_EQ(row.losses, 2);
  EXPECT_EQ(
      row.error,
      "lost 2 time(s) while running, last on rank-2, with no stop signal before: it may kill its worker "
      "(under MPI the whole MPI job); 2 of 2 attempt(s) used");
  EXPECT_EQ(j.row(j.bystander).status, JobStatus::Pending);  // never dispatched: untouched

  // --retry-failed gives it a fresh start.
  EXPECT_EQ(reset_failed_jobs(j.db, j.sweep), 1);
  EXPECT_EQ(j.row(j.job).losses, 0);
  EXPECT_EQ(j.row(j.job).attempts, 0);
}

TEST(JobAttempts, AStopThatReachedTheJobGivesTheAttemptBackAsAPreemption) {
  Jobs j;
  mark_job_running(j.db, j.job, "rank-1", 10);
  mark_job_running(j.db, j.bystander, "rank-2", 10);
  record_stop_reached(j.db, j.job, 15);
  EXPECT_EQ(j.row(j.job).stop_reached_at, 15);
  const RequeueCounts counts = requeue_running_jobs(j.db, j.sweep, 1);
  EXPECT_EQ(counts.preempted, 1);
  EXPECT_EQ(counts.failed, 1);  // the bystander was lost with no stop and max_attempts 1
  const JobRow row = j.row(j.job);
  EXPECT_EQ(row.status, JobStatus::Pending);
  EXPECT_EQ(row.attempts, 0);
  EXPECT_EQ(row.preemptions, 1);
  EXPECT_EQ(row.losses, 0);
  EXPECT_FALSE(row.stop_reached_at);

  // The stop belongs to that dispatch only: the next one starts without it.
  mark_job_running(j.db, j.job, "rank-1", 30);
  EXPECT_FALSE(j.row(j.job).stop_reached_at);
  EXPECT_EQ(requeue_running_jobs(j.db, j.sweep, 3).lost, 1);
  EXPECT_EQ(j.row(j.job).attempts, 1);
  EXPECT_EQ(j.row(j.job).preemptions, 1);
}

TEST(JobAttempts, AStopIsRecordedOnlyForARunningJob) {
  Jobs j;
  record_stop_reached(j.db, j.job, 5);
  EXPECT_FALSE(j.row(j.job).stop_reached_at);
  mark_job_running(j.db, j.job, "rank-1", 10);
  record_stop_reached(j.db, j.job, 11);
  record_stop_reached(j.db, j.job, 12);  // the first confirmation is the one kept
  EXPECT_EQ(j.row(j.job).stop_reached_at, 11);
}

TEST(JobAttempts, AnInterruptionAtASafePointIsAPreemption) {
  Jobs j;
  mark_job_running(j.db, j.job, "rank-1", 10);
  record_stop_reached(j.db, j.job, 11);
  mark_job_interrupted(j.db, j.job, "stopped by a signal", 12);
  const JobRow row = j.row(j.job);
  EXPECT_EQ(row.status, JobStatus::Interrupted);
  EXPECT_EQ(row.attempts, 0);
  EXPECT_EQ(row.preemptions, 1);
  EXPECT_FALSE(row.stop_reached_at);
}

}  // namespace
}  // namespace popsweep::storage
