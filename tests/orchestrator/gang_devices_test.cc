// Devices for gangs (issue 20): the members of one gang never share a GPU
// (NCCL refuses it), on one node or several, and a gang that needs more GPUs
// than a node shows is refused saying so. Pure function, checked with
// made-up GPU counts: no GPU here (docs/GPU.md says what a GPU run adds).
#include "orchestrator/gang_devices.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace popsweep::orchestrator {
namespace {

using Devices = std::vector<std::string>;

std::string error_of(const std::string& requested, const std::vector<GangSeat>& members) {
  try {
    assign_gang_devices(requested, members);
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}

TEST(GangDevices, MembersOnTheCpuStayThere) {
  EXPECT_EQ(assign_gang_devices("cpu", {{"a", "cpu", 0}, {"a", "cpu", 0}, {"a", "cpu", 0}}),
            (Devices{"cpu", "cpu", "cpu"}));
  EXPECT_EQ(assign_gang_devices("auto", {{"a", "cpu", 0}, {"b", "cpu", 0}}), (Devices{"cpu", "cpu"}));
}

TEST(GangDevices, MembersThatWouldShareAGpuGetTheFreeOnesOfTheirNode) {
  // A pool of 4 workers on 2 GPUs (worker i on cuda:i mod 2): workers 0 and 2
  // both hold cuda:0; the gang moves its second member to cuda:1.
  EXPECT_EQ(assign_gang_devices("auto", {{"a", "cuda:0", 2}, {"a", "cuda:0", 2}}),
            (Devices{"cuda:0", "cuda:1"}));
  // Members that already differ keep their GPUs (their backbone stays loaded).
  EXPECT_EQ(assign_gang_devices("cuda", {{"a", "cuda:1", 2}, {"a", "cuda:0", 2}}),
            (Devices{"cuda:1", "cuda:0"}));
  EXPECT_EQ(assign_gang_devices(
                "cuda", {{"a", "cuda:2", 4}, {"a", "cuda:2", 4}, {"a", "cuda:0", 4}, {"a", "cuda:2", 4}}),
            (Devices{"cuda:2", "cuda:0", "cuda:1", "cuda:3"}));
}

TEST(GangDevices, MembersOnDifferentNodesMayHoldTheSameIndex) {
  EXPECT_EQ(assign_gang_devices("cuda", {{"a", "cuda:0", 1}, {"b", "cuda:0", 1}}),
            (Devices{"cuda:0", "cuda:0"}));
  EXPECT_EQ(assign_gang_devices("cuda:0", {{"a", "cuda:0", 2}, {"b", "cuda:0", 2}}),
            (Devices{"cuda:0", "cuda:0"}));
  EXPECT_EQ(assign_gang_devices("auto", {{"a", "cuda:0", 2}, {"b", "cuda:0", 2}, {"a", "cuda:0", 2}}),
            (Devices{"cuda:0", "cuda:0", "cuda:1"}));
}

TEST(GangDevices, AGangNeedingMoreGpusThanANodeShowsIsRefused) {
  const std::string error =
      error_of("auto", {{"node7", "cuda:0", 2}, {"node7", "cuda:1", 2}, {"node7", "cuda:0", 2}});
  EXPECT_NE(error.find("a gang of 3 ranks (run.ranks_per_job) has 3 members on node7, which shows 2 GPU(s)"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("NCCL refuses it"), std::string::npos) << error;
  // One GPU, two members on its node.
  EXPECT_NE(error_of("cuda", {{"a", "cuda:0", 1}, {"a", "cuda:0", 1}})
                .find("has 2 members on a, which shows 1 GPU"),
            std::string::npos);
}

TEST(GangDevices, APinnedGpuCannotHoldTwoMembersOfOneGang) {
  const std::string error = error_of("cuda:1", {{"a", "cuda:1", 4}, {"a", "cuda:1", 4}});
  EXPECT_NE(
      error.find("run.device is cuda:1: every worker on a computes on that one GPU, but a gang of 2 ranks "
                 "has 2 members there"),
      std::string::npos)
      << error;
}

TEST(GangDevices, TheLocalPoolIsCheckedBeforeAnyJob) {
  EXPECT_NO_THROW(check_pool_gang_devices("cpu", 4, 0, {"cpu", "cpu", "cpu", "cpu"}));
  EXPECT_NO_THROW(check_pool_gang_devices("auto", 2, 2, {"cuda:0", "cuda:1", "cuda:0"}));
  EXPECT_NO_THROW(check_pool_gang_devices("cuda:0", 1, 2, {"cuda:0", "cuda:0"}));
  EXPECT_THROW(check_pool_gang_devices("auto", 3, 2, {"cuda:0", "cuda:1", "cuda:0"}), ConfigError);
  EXPECT_THROW(check_pool_gang_devices("cuda:0", 2, 2, {"cuda:0", "cuda:0"}), ConfigError);
}

}  // namespace
}  // namespace popsweep::orchestrator
