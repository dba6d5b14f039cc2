// The worker side of every stage: a registry from stage name to the function
// that runs such a job, plus the datasets the coordinator has sent. The
// real stages (extract, train) register themselves in
// orchestrator/worker_stages.cc; tests register fakes.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "orchestrator/worker_loop.h"

namespace popsweep::orchestrator {

// Datasets by key, shared by the jobs that run on this worker.
class DatasetCache {
 public:
  void put(const std::string& key, std::shared_ptr<const Message> dataset);
  // Throws when the coordinator did not send it (a protocol error).
  std::shared_ptr<const Message> get(const std::string& key) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const Message>> datasets_;
};

struct WorkerEnvironment {
  int threads = 1;           // intra-op threads for this worker
  std::string device = "cpu";  // "cpu" or "cuda:N"
};

using StageFunction = std::function<Message(const Message& job, const DatasetCache& datasets,
                                            const WorkerEnvironment& environment,
                                            const std::function<bool()>& should_stop, const Emitter& emit)>;

class StageExecutor : public JobExecutor {
 public:
  explicit StageExecutor(WorkerEnvironment environment) : environment_(std::move(environment)) {}
  void add_stage(const std::string& stage, StageFunction function) { stages_[stage] = std::move(function); }
  Message execute(const Message& job, const std::function<bool()>& should_stop, const Emitter& emit) override;
  void accept_dataset(const Message& dataset) override;

 private:
  WorkerEnvironment environment_;
  std::map<std::string, StageFunction> stages_;
  DatasetCache datasets_;
};

// The executor with every stage popsweep runs on workers.
std::unique_ptr<StageExecutor> make_worker_executor(const WorkerEnvironment& environment);

}  // namespace popsweep::orchestrator
