// Placing jobs that need several workers (gangs, issue 20): a gang waits
// without deadlock, small jobs take the idle workers meanwhile, and a gang
// that has waited long enough holds them so it cannot be starved.
#include "orchestrator/gang_placement.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace popsweep::orchestrator {
namespace {

using Expected = std::vector<std::pair<std::int64_t, std::vector<int>>>;

Expected placed(const PlacementPlan& plan) {
  Expected out;
  for (const Placement& p : plan.placed) out.emplace_back(p.job_id, p.workers);
  return out;
}

TEST(GangPlacement, OneWorkerJobsTakeIdleWorkersInOrder) {
  const PlacementPlan plan = place_jobs({{1, 1}, {2, 1}, {3, 1}}, {4, 0}, false);
  EXPECT_EQ(placed(plan), (Expected{{1, {4}}, {2, {0}}}));
  EXPECT_FALSE(plan.waiting_gang);
}

TEST(GangPlacement, AGangTakesAsManyWorkersAsItHasRanks) {
  EXPECT_EQ(placed(place_jobs({{1, 2}, {2, 2}}, {0, 1, 2, 3}, false)), (Expected{{1, {0, 1}}, {2, {2, 3}}}));
  EXPECT_EQ(placed(place_jobs({{1, 2}, {2, 1}}, {5, 6, 7}, false)), (Expected{{1, {5, 6}}, {2, {7}}}));
}

TEST(GangPlacement, AGangThatDoesNotFitWaitsWhileSmallJobsTakeTheIdleWorkers) {
  // One worker idle (the others busy): the gang of 2 waits, the small jobs
  // behind it take the idle worker one at a time.
  const PlacementPlan plan = place_jobs({{1, 2}, {2, 1}, {3, 1}}, {5}, false);
  EXPECT_EQ(placed(plan), (Expected{{2, {5}}}));
  EXPECT_EQ(plan.waiting_gang, 1);
  // Three idle: a gang of 4 waits, a later gang of 2 and a small job run.
  EXPECT_EQ(placed(place_jobs({{1, 4}, {2, 2}, {3, 1}}, {0, 1, 2}, false)),
            (Expected{{2, {0, 1}}, {3, {2}}}));
}

TEST(GangPlacement, AGangThatHasWaitedLongEnoughHoldsTheIdleWorkers) {
  const PlacementPlan plan = place_jobs({{1, 2}, {2, 1}, {3, 1}}, {5}, true);
  EXPECT_EQ(placed(plan), Expected{});
  EXPECT_EQ(plan.waiting_gang, 1);
  // Jobs before it in the order still start; it holds what is left.
  EXPECT_EQ(placed(place_jobs({{1, 1}, {2, 3}, {3, 1}}, {0, 1, 2}, true)), (Expected{{1, {0}}}));
  // Once enough workers are idle it starts.
  EXPECT_EQ(placed(place_jobs({{1, 2}, {2, 1}}, {5, 6}, true)), (Expected{{1, {5, 6}}}));
}

TEST(GangPlacement, NoIdleWorkerPlacesNothing) {
  const PlacementPlan plan = place_jobs({{1, 2}, {2, 1}}, {}, false);
  EXPECT_TRUE(plan.placed.empty());
  EXPECT_FALSE(plan.waiting_gang);
}

TEST(GangPlacement, GangsThatCannotRunAreRefusedBeforeAnyJob) {
  EXPECT_NO_THROW(check_gang_size(1, 1, true));
  EXPECT_NO_THROW(check_gang_size(2, 2, false));
  try {
    check_gang_size(3, 2, false);
    FAIL();
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("run.ranks_per_job is 3, more than the 2 worker(s)"),
              std::string::npos);
  }
  // Under MPI (issue 20): gangs of the worker ranks, every rank but 0.
  EXPECT_NO_THROW(check_gang_size(2, 2, true));
  try {
    check_gang_size(3, 2, true);
    FAIL();
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what())
                  .find("more than the 2 worker rank(s) of this MPI job (rank 0 "
                        "coordinates): a training job could never start; start at "
                        "least 4 ranks"),
              std::string::npos)
        << error.what();
  }
}

}  // namespace
}  // namespace popsweep::orchestrator
