#include "orchestrator/stage_executor.h"

#include "common/error.h"

namespace popsweep::orchestrator {

void DatasetCache::put(const std::string& key, std::shared_ptr<const Message> dataset) {
  std::lock_guard<std::mutex> lock(mutex_);
  datasets_[key] = std::move(dataset);
}

std::shared_ptr<const Message> DatasetCache::get(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto found = datasets_.find(key);
  if (found == datasets_.end()) throw Error("the coordinator did not send dataset " + key);
  return found->second;
}

Message StageExecutor::execute(const Message& job, const std::function<bool()>& should_stop, const Emitter& emit) {
  const std::string stage = job.header.value("stage", std::string());
  const auto found = stages_.find(stage);
  if (found == stages_.end()) throw Error("this worker cannot run stage '" + stage + "'");
  if (job.header.contains("device")) {
    // A gang member moved off a GPU another member holds (gang_devices.h).
    WorkerEnvironment moved = environment_;
    moved.device = job.header.at("device").get<std::string>();
    return found->second(job, datasets_, moved, should_stop, emit);
  }
  return found->second(job, datasets_, environment_, should_stop, emit);
}

void StageExecutor::accept_dataset(const Message& dataset) {
  datasets_.put(dataset.header.value("key", std::string()), std::make_shared<const Message>(dataset));
}

}  // namespace popsweep::orchestrator
