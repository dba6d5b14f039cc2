// The local pool's worker layout and the environment its workers get.
#include "orchestrator/launch.h"

#include <gtest/gtest.h>

namespace popsweep::orchestrator {
namespace {

TEST(WorkerLayout, DefaultsShareTheCoresAndRequestsWin) {
  const WorkerLayout requested = choose_worker_layout(3, 5);
  EXPECT_EQ(requested.workers, 3);
  EXPECT_EQ(requested.threads_per_worker, 5);
  const WorkerLayout automatic = choose_worker_layout(0, 0);
  EXPECT_GE(automatic.workers, 1);
  EXPECT_GE(automatic.threads_per_worker, 1);
}

TEST(WorkerProcessEnvironment, PassiveOpenMpWaitingOnlyWhenOversubscribed) {
  const std::vector<std::string> passive{"OMP_WAIT_POLICY=PASSIVE"};
  EXPECT_TRUE(worker_process_environment({1, 2}, 2, nullptr).empty());  // exactly the cores
  EXPECT_TRUE(worker_process_environment({2, 1}, 2, nullptr).empty());
  EXPECT_EQ(worker_process_environment({2, 2}, 2, nullptr), passive);  // 4 threads on 2 cores
  EXPECT_EQ(worker_process_environment({1, 3}, 2, nullptr), passive);
  EXPECT_TRUE(worker_process_environment({4, 4}, 2, "ACTIVE").empty());  // the user's choice stands
  EXPECT_TRUE(worker_process_environment({4, 4}, 64, nullptr).empty());
}

}  // namespace
}  // namespace popsweep::orchestrator
