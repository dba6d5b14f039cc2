// `--device` / run.device (issue 24): cuda:N is honoured instead of ignored,
// a local pool spreads its workers over the visible GPUs, and a name that is
// malformed or asks for a GPU this process cannot see is refused naming the
// key. The rules are a pure function of (request, visible GPUs, worker), so
// they are checked here without a GPU; docs/GPU.md says what a GPU run adds.
#include "orchestrator/device_assignment.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "orchestrator/spec.h"
#include "orchestrator/spec_loader.h"

namespace popsweep::orchestrator {
namespace {

std::string error_of(const std::string& requested, int visible_gpus, int worker = 0,
                     const std::string& key = "run.device") {
  try {
    assign_device(requested, visible_gpus, worker, key);
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}

std::vector<std::string> pool(const std::string& requested, int visible_gpus, int workers) {
  std::vector<std::string> devices;
  for (int worker = 0; worker < workers; ++worker)
    devices.push_back(assign_device(requested, visible_gpus, worker));
  return devices;
}

TEST(DeviceAssignment, CudaWithoutAnIndexSpreadsWorkersOverTheVisibleGpus) {
  EXPECT_EQ(pool("cuda", 2, 5), (std::vector<std::string>{"cuda:0", "cuda:1", "cuda:0", "cuda:1", "cuda:0"}));
  EXPECT_EQ(pool("cuda", 3, 4), (std::vector<std::string>{"cuda:0", "cuda:1", "cuda:2", "cuda:0"}));
  EXPECT_EQ(pool("auto", 2, 3), (std::vector<std::string>{"cuda:0", "cuda:1", "cuda:0"}));
  EXPECT_EQ(pool("cuda", 1, 3), (std::vector<std::string>{"cuda:0", "cuda:0", "cuda:0"}));
}

TEST(DeviceAssignment, AnIndexPutsEveryWorkerOnThatGpu) {
  EXPECT_EQ(pool("cuda:1", 2, 3), (std::vector<std::string>{"cuda:1", "cuda:1", "cuda:1"}));
  EXPECT_EQ(assign_device("cuda:0", 1, 7), "cuda:0");
  EXPECT_EQ(assign_device("cuda:3", 4, 0), "cuda:3");
}

TEST(DeviceAssignment, CpuAlwaysAndAutoWithoutAGpu) {
  EXPECT_EQ(pool("cpu", 4, 2), (std::vector<std::string>{"cpu", "cpu"}));
  EXPECT_EQ(pool("auto", 0, 2), (std::vector<std::string>{"cpu", "cpu"}));
}

TEST(DeviceAssignment, AGpuThatIsNotVisibleIsRefusedSayingHowManyAre) {
  const std::string seven = error_of("cuda:7", 2);
  EXPECT_NE(
      seven.find("run.device is cuda:7, but only 2 GPUs are visible to this process (cuda:0 to cuda:1)"),
      std::string::npos)
      << seven;
  EXPECT_NE(seven.find("CUDA_VISIBLE_DEVICES"), std::string::npos) << seven;
  EXPECT_NE(error_of("cuda:1", 1).find("only 1 GPU is visible to this process (cuda:0)"), std::string::npos);
  for (const char* gpu : {"cuda", "cuda:0"}) {
    const std::string none = error_of(gpu, 0);
    EXPECT_NE(none.find(std::string("run.device is ") + gpu + ", but no GPU is visible"), std::string::npos)
        << none;
  }
}

TEST(DeviceAssignment, AMalformedNameIsRefusedNamingTheKey) {
  for (const char* bad : {"gpu", "cuda:", "cuda:x", "cuda:-1", "cuda:1.5", "CUDA", "cuda:0,1", "", " cuda"}) {
    const std::string message = error_of(bad, 2, 0, "--device");
    EXPECT_EQ(
        message.rfind(
            std::string("--device: '") + bad + "' is not a device: expected auto, cpu, cuda or cuda:N", 0),
        0u)
        << message;
  }
  EXPECT_EQ(device_name_problem("cuda:12"), "");
}

TEST(DeviceAssignment, TheSpecAcceptsAnIndexAndRefusesNonsenseWithTheKey) {
  const std::string profile = "profile:\n  synth:\n    preset: tiny\n";
  const LoadedSpec indexed = parse_spec_text(profile + "run:\n  device: cuda:1\n", "s.yaml");
  EXPECT_EQ(make_spec(indexed.values, "s.yaml").run.device, "cuda:1");
  EXPECT_EQ(make_spec(parse_spec_text(profile, "s.yaml", {"run.device=cuda:0"}).values, "s.yaml").run.device,
            "cuda:0");
  try {
    parse_spec_text(profile + "run:\n  device: gpu1\n", "s.yaml");
    FAIL() << "run.device gpu1 was accepted";
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("s.yaml:5:11"), std::string::npos) << message;
    EXPECT_NE(message.find("'run.device': 'gpu1' is not a device"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace popsweep::orchestrator
