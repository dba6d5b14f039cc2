// Crash-test hook: named places where a test can make the process SIGKILL
// itself, so "the coordinator died right after committing a batch" is an exact,
// repeatable event instead of a race against a `kill -9` from outside.
//
//   POPSWEEP_FAULT=<point>[:<n>]   die the n-th time (default 1) this process
//                                  reaches <point>
//   POPSWEEP_FAULT_MARKER=<file>   fire at most once across processes: the first
//                                  to fire creates <file> (point and pid in it);
//                                  while it exists no process fires. Without it a
//                                  restarted worker would die again at the same
//                                  place and use up every attempt of its job.
//   POPSWEEP_FAULT_ACTION=hang     block at the point for good instead of dying
//                                  (a hung worker; SIGKILL still ends it)
//   POPSWEEP_FAULT_JOB=<job id>    count only the times the point is reached for
//                                  that job (points reached through
//                                  fault_point_for_job); without a marker, every
//                                  process that starts the job dies there: a job
//                                  that kills its worker each time it runs
//
// The variables are read once, when the program loads; an unknown point name
// stops the program there (a typo must not make a crash test pass without a
// crash). Unset, a fault point costs one test of a constant flag.
//
// The points (fault_point_names()): where each is, and which process it kills.
//   ingest.before_commit           coordinator: posts/media/followers written, not committed
//   label.after_commit             coordinator: labels committed, the label job not marked done
//   extract.mid_batch              worker: a batch embedded, not yet sent
//   extract.after_batch_commit     coordinator: a batch of features committed, more to come
//   dedup.before_commit            coordinator: duplicates marked in the open transaction
//   train.mid_epoch                worker: inside the batch loop, after an optimiser step
//   train.epoch_boundary           worker: an epoch finished, before the next one starts
//   train.result_before_status     coordinator: result rows written, job status not yet (same transaction)
//   extract.result_before_status   coordinator: the same for an extraction's final message
//   report.half_written            coordinator: report.md written, report.html and the rest not
//   train.after_batch_commit       coordinator: a training job's periodic resume checkpoint
//                                  committed (run.checkpoint_minutes), the job still running
//   worker.job_start               worker: a job received, before it starts (any stage)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace popsweep {

// Dies here (raise(SIGKILL)) when POPSWEEP_FAULT names `point` and this is the
// chosen time it is reached.
void fault_point(std::string_view point);
// The point "<scope>.<point>", e.g. the job's stage and "result_before_status",
// without building the string when no fault is armed.
void fault_point(std::string_view scope, std::string_view point);

// The same for a point reached on behalf of a job: with POPSWEEP_FAULT_JOB
// set, only that job's visits count.
void fault_point_for_job(std::string_view point, std::int64_t job_id);

// What POPSWEEP_FAULT asks for; parsed by parse_fault_plan (ConfigError on a
// malformed value or an unknown point).
struct FaultPlan {
  std::string point;     // empty: nothing armed
  std::int64_t nth = 1;  // fire on the nth time the point is reached
};
FaultPlan parse_fault_plan(const std::string& value);

// Every point placed in the code, for the check above and for tests.
const std::vector<std::string>& fault_point_names();

}  // namespace popsweep
