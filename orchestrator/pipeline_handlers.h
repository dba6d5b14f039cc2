// The coordinator's side of every stage, gathered behind the scheduler's
// StageHandlers interface. Each stage is a small class in
// orchestrator/stages/; this file only routes a job to its stage.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "orchestrator/stage_handlers.h"

namespace popsweep::storage {
class Database;
}

namespace popsweep::orchestrator {

class CoordinatorStage {
 public:
  virtual ~CoordinatorStage() = default;
  virtual void run_on_coordinator(const storage::JobRow& job);
  virtual RemoteDispatch prepare_remote(const storage::JobRow& job);
  virtual int ranks_of(const storage::JobRow& job) { return 1; }
  virtual void record_result(const storage::JobRow& job, const Message& result);
  virtual void record_partial(const storage::JobRow& job, const Message& partial);
  virtual void record_interruption(const storage::JobRow& job, const Message& message);
};

class PipelineHandlers : public StageHandlers {
 public:
  void add_stage(const std::string& name, std::unique_ptr<CoordinatorStage> stage);
  // Datasets are built on first request and kept, so a dataset sent to many
  // workers is serialised once.
  void add_dataset(const std::string& key, std::function<Message()> build);
  bool has_dataset(const std::string& key) const { return dataset_builders_.count(key) != 0; }

  void run_on_coordinator(const storage::JobRow& job) override;
  RemoteDispatch prepare_remote(const storage::JobRow& job) override;
  int ranks_of(const storage::JobRow& job) override { return stage_of(job).ranks_of(job); }
  Message dataset_message(const std::string& key) override;
  void record_result(const storage::JobRow& job, const Message& result) override;
  void record_partial(const storage::JobRow& job, const Message& partial) override;
  void record_interruption(const storage::JobRow& job, const Message& message) override;

 private:
  CoordinatorStage& stage_of(const storage::JobRow& job);
  std::map<std::string, std::unique_ptr<CoordinatorStage>> stages_;
  std::map<std::string, std::function<Message()>> dataset_builders_;
  std::map<std::string, Message> datasets_;
};

}  // namespace popsweep::orchestrator
