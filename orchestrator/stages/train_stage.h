// The coordinator's side of training jobs (M14-M19): the job message and
// the dataset it needs, then the result written in the job's transaction
// (history, scores, one prediction per validated item, the kept weights),
// or, for a job stopped at an epoch boundary, its resume checkpoint. The
// worker also sends that resume state every run.checkpoint_minutes (as a
// "partial"), so a job whose node died resumes from it too.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "orchestrator/pipeline_handlers.h"
#include "storage/result_tables.h"

namespace popsweep::orchestrator {

class TrainStage : public CoordinatorStage {
 public:
  // `weights_path`: the backbone's weight file per feature set (the JSON of a
  // job's "features"), which `pixels`-mode jobs run every epoch.
  // `checkpoint_minutes`: run.checkpoint_minutes.
  // `ranks_per_job`, `collective_backend`: run.ranks_per_job and
  // run.collective_backend (a data-parallel gang per job).
  TrainStage(storage::Database& db, PipelineHandlers& handlers,
             std::map<std::string, std::string> weights_path = {}, double checkpoint_minutes = 10,
             int ranks_per_job = 1, std::string collective_backend = "auto")
      : db_(db),
        handlers_(handlers),
        weights_path_(std::move(weights_path)),
        checkpoint_minutes_(checkpoint_minutes),
        ranks_per_job_(ranks_per_job),
        collective_backend_(std::move(collective_backend)) {}
  RemoteDispatch prepare_remote(const storage::JobRow& job) override;
  int ranks_of(const storage::JobRow&) override { return ranks_per_job_; }
  void record_result(const storage::JobRow& job, const Message& result) override;
  void record_partial(const storage::JobRow& job, const Message& partial) override;
  void record_interruption(const storage::JobRow& job, const Message& message) override;

 private:
  void save_resume_checkpoint(const storage::JobRow& job, int epoch, const std::string& state);
  // The job's resume state; none (row dropped, said on stderr) when its
  // checkpoint file is missing or corrupt.
  std::optional<storage::CheckpointRow> load_resume_state(const storage::JobRow& job);

  storage::Database& db_;
  PipelineHandlers& handlers_;
  std::map<std::string, std::string> weights_path_;
  double checkpoint_minutes_;
  int ranks_per_job_;
  std::string collective_backend_;
  std::map<std::string, std::string> unbuildable_datasets_;  // key -> why
};

}  // namespace popsweep::orchestrator
