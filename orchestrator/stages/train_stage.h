// The coordinator's side of training jobs (M14-M19): the job message and
// the dataset it needs, then the result written in the job's transaction
// (history, scores, one prediction per validated item, the kept weights),
// or, for a job stopped at an epoch boundary, its resume checkpoint.
#pragma once

#include <map>
#include <string>

#include "orchestrator/pipeline_handlers.h"

namespace popsweep::orchestrator {

class TrainStage : public CoordinatorStage {
 public:
  // `weights_path`: the backbone's weight file per feature set (the JSON of a
  // job's "features"), which `pixels`-mode jobs run every epoch.
  TrainStage(storage::Database& db, PipelineHandlers& handlers, std::map<std::string, std::string> weights_path = {})
      : db_(db), handlers_(handlers), weights_path_(std::move(weights_path)) {}
  RemoteDispatch prepare_remote(const storage::JobRow& job) override;
  void record_result(const storage::JobRow& job, const Message& result) override;
  void record_interruption(const storage::JobRow& job, const Message& message) override;

 private:
  storage::Database& db_;
  PipelineHandlers& handlers_;
  std::map<std::string, std::string> weights_path_;
};

}  // namespace popsweep::orchestrator
