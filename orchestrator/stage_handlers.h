// What the coordinator does for each stage of job. The scheduler owns the
// order, dispatch, retries, timeouts and bookkeeping; the handlers own the
// work: running a coordinator-side stage, building the message a worker
// needs, and recording what came back.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "orchestrator/message.h"
#include "storage/job_tables.h"

namespace popsweep::orchestrator {

struct RemoteDispatch {
  Message job;
  // Shared inputs a worker must hold before it can run the job, by key; the
  // scheduler sends each one once per worker.
  std::vector<std::string> dataset_keys;
};

class StageHandlers {
 public:
  virtual ~StageHandlers() = default;
  // Runs a coordinator stage (ingest, label, dedup) to completion, writing
  // its results; throwing fails the job.
  virtual void run_on_coordinator(const storage::JobRow& job) = 0;
  virtual RemoteDispatch prepare_remote(const storage::JobRow& job) = 0;
  // How many workers the job runs on at once (a data-parallel gang, whose
  // ranks the scheduler tells each; orchestrator/gang_placement.h).
  virtual int ranks_of(const storage::JobRow& job) { return 1; }
  virtual Message dataset_message(const std::string& key) = 0;
  // Called inside the transaction that then marks the job done.
  virtual void record_result(const storage::JobRow& job, const Message& result) = 0;
  // A piece of a running job's output (a batch of features), committed on
  // arrival so that a lost worker costs only what it had not sent.
  virtual void record_partial(const storage::JobRow& job, const Message& partial) {}
  // Called inside the transaction that marks the job interrupted: keep what
  // lets the job continue (a resume checkpoint).
  virtual void record_interruption(const storage::JobRow& job, const Message& message) = 0;
};

}  // namespace popsweep::orchestrator
