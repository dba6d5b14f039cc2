// A gang member the scheduler moved to another GPU (gang_devices.h) runs its
// job on that device: the job's "device" overrides the worker's own for that
// job only.
#include <gtest/gtest.h>

#include "orchestrator/stage_executor.h"

namespace popsweep::orchestrator {
namespace {

TEST(StageExecutorDevice, AJobsDeviceOverridesTheWorkersForThatJobOnly) {
  WorkerEnvironment environment;
  environment.device = "cuda:0";
  environment.threads = 3;
  StageExecutor executor(environment);
  executor.add_stage("train", [](const Message&, const DatasetCache&, const WorkerEnvironment& seen,
                                 const std::function<bool()>&, const Emitter&) {
    return make_message("result", {{"device", seen.device}, {"threads", seen.threads}});
  });
  const auto run = [&](nlohmann::json header) {
    Message job = make_message("job", std::move(header));
    return executor.execute(
        job, [] { return false; }, [](Message) {});
  };
  Message moved = run({{"stage", "train"}, {"device", "cuda:1"}});
  EXPECT_EQ(moved.header.at("device"), "cuda:1");
  EXPECT_EQ(moved.header.at("threads"), 3);
  EXPECT_EQ(run({{"stage", "train"}}).header.at("device"), "cuda:0");
}

}  // namespace
}  // namespace popsweep::orchestrator
