#include "orchestrator/stages/noop_stage.h"

#include <chrono>
#include <thread>

namespace popsweep::orchestrator {

RemoteDispatch NoopStage::prepare_remote(const storage::JobRow& job) {
  RemoteDispatch dispatch;
  dispatch.job = make_message("job");
  return dispatch;
}

Message run_noop_job(const Message& job, const DatasetCache&, const WorkerEnvironment&,
                     const std::function<bool()>& should_stop, const Emitter&) {
  // `sleep_ms` stands in for work, to measure scheduling of uneven jobs.
  const int sleep_ms = job.header.value("params", nlohmann::json::object()).value("sleep_ms", 0);
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(sleep_ms);
  while (std::chrono::steady_clock::now() < until) {
    if (should_stop()) return make_message("interrupted");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return make_message("result");
}

}  // namespace popsweep::orchestrator
