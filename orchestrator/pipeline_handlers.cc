#include "orchestrator/pipeline_handlers.h"

#include "common/error.h"

namespace popsweep::orchestrator {

void CoordinatorStage::run_on_coordinator(const storage::JobRow& job) {
  throw Error("stage '" + job.stage + "' does not run on the coordinator");
}

RemoteDispatch CoordinatorStage::prepare_remote(const storage::JobRow& job) {
  throw Error("stage '" + job.stage + "' does not run on workers");
}

void CoordinatorStage::record_result(const storage::JobRow&, const Message&) {}

void CoordinatorStage::record_partial(const storage::JobRow&, const Message&) {}

void CoordinatorStage::record_interruption(const storage::JobRow&, const Message&) {}

void PipelineHandlers::add_stage(const std::string& name, std::unique_ptr<CoordinatorStage> stage) {
  stages_[name] = std::move(stage);
}

void PipelineHandlers::add_dataset(const std::string& key, std::function<Message()> build) {
  dataset_builders_[key] = std::move(build);
}

CoordinatorStage& PipelineHandlers::stage_of(const storage::JobRow& job) {
  const auto found = stages_.find(job.stage);
  if (found == stages_.end()) throw Error("no handler for stage '" + job.stage + "'");
  return *found->second;
}

void PipelineHandlers::run_on_coordinator(const storage::JobRow& job) { stage_of(job).run_on_coordinator(job); }

RemoteDispatch PipelineHandlers::prepare_remote(const storage::JobRow& job) {
  RemoteDispatch dispatch = stage_of(job).prepare_remote(job);
  dispatch.job.header["stage"] = job.stage;
  dispatch.job.header["seed"] = job.seed;
  if (!dispatch.job.header.contains("params")) dispatch.job.header["params"] = nlohmann::json::parse(job.params);
  return dispatch;
}

Message PipelineHandlers::dataset_message(const std::string& key) {
  auto cached = datasets_.find(key);
  if (cached == datasets_.end()) {
    const auto builder = dataset_builders_.find(key);
    if (builder == dataset_builders_.end()) throw Error("no dataset " + key);
    Message message = builder->second();
    message.header["type"] = "dataset";
    message.header["key"] = key;
    cached = datasets_.emplace(key, std::move(message)).first;
  }
  return cached->second;
}

void PipelineHandlers::record_result(const storage::JobRow& job, const Message& result) {
  stage_of(job).record_result(job, result);
}

void PipelineHandlers::record_partial(const storage::JobRow& job, const Message& partial) {
  stage_of(job).record_partial(job, partial);
}

void PipelineHandlers::record_interruption(const storage::JobRow& job, const Message& message) {
  stage_of(job).record_interruption(job, message);
}

}  // namespace popsweep::orchestrator
