// The coordinator's side of training jobs (M14-M19): the job message and
// the dataset it needs, then the result written in the job's transaction
// (history, scores, one prediction per validated item, the kept weights),
// or, for a job stopped at an epoch boundary, its resume checkpoint. The
// worker also sends that resume state every run.checkpoint_minutes (as a
// "partial"), so a job whose node died resumes from it too.
#pragma once

#include <map>
#include <string>

#include "orchestrator/pipeline_handlers.h"

namespace popsweep::orchestrator {

class TrainStage : public CoordinatorStage {
 public:
  // `weights_path`: the backbone's weight file per feature set (the JSON of a
  // job's "features"), which `pixels`-mode jobs run every epoch.
  // `checkpoint_minutes`: run.checkpoint_minutes.
  TrainStage(storage::Database& db, PipelineHandlers& handlers,
             std::map<std::string, std::string> weights_path = {}, double checkpoint_minutes = 10)
      : db_(db),
        handlers_(handlers),
        weights_path_(std::move(weights_path)),
        checkpoint_minutes_(checkpoint_minutes) {}
  RemoteDispatch prepare_remote(const storage::JobRow& job) override;
  void record_result(const storage::JobRow& job, const Message& result) override;
  void record_partial(const storage::JobRow& job, const Message& partial) override;
  void record_interruption(const storage::JobRow& job, const Message& message) override;

 private:
  void save_resume_checkpoint(const storage::JobRow& job, int epoch, const std::string& state);

  storage::Database& db_;
  PipelineHandlers& handlers_;
  std::map<std::string, std::string> weights_path_;
  double checkpoint_minutes_;
  std::map<std::string, std::string> unbuildable_datasets_;  // key -> why
};

}  // namespace popsweep::orchestrator
