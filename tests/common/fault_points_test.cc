#include "common/fault_points.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "common/error.h"
#include "tests/support/temp_dir.h"

namespace popsweep {
namespace {

std::string message_of(const std::string& value) {
  try {
    parse_fault_plan(value);
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}

TEST(FaultPoints, PlanNamesAPointAndOptionallyWhichTimeItFires) {
  const FaultPlan first = parse_fault_plan("train.mid_epoch");
  EXPECT_EQ(first.point, "train.mid_epoch");
  EXPECT_EQ(first.nth, 1);
  const FaultPlan third = parse_fault_plan("extract.after_batch_commit:3");
  EXPECT_EQ(third.point, "extract.after_batch_commit");
  EXPECT_EQ(third.nth, 3);
}

TEST(FaultPoints, MalformedCountsAreRefusedWithTheValue) {
  for (const char* value :
       {"train.mid_epoch:", "train.mid_epoch:0", "train.mid_epoch:-2", "train.mid_epoch:2x"}) {
    const std::string message = message_of(value);
    EXPECT_NE(message.find(std::string("POPSWEEP_FAULT=") + value), std::string::npos) << message;
    EXPECT_NE(message.find("POINT:N"), std::string::npos) << message;
  }
}

// A typo must fail loudly: a crash test whose fault never fires would pass.
TEST(FaultPoints, UnknownPointIsRefusedAndTheKnownOnesAreListed) {
  const std::string message = message_of("train.midepoch");
  EXPECT_NE(message.find("no fault point 'train.midepoch'"), std::string::npos) << message;
  EXPECT_NE(message.find("train.mid_epoch"), std::string::npos) << message;
}

TEST(FaultPoints, NamesAreUniqueAndScoped) {
  const std::vector<std::string>& names = fault_point_names();
  EXPECT_EQ(std::set<std::string>(names.begin(), names.end()).size(), names.size());
  for (const std::string& name : names) EXPECT_NE(name.find('.'), std::string::npos) << name;
}

// Unarmed (this test binary runs without POPSWEEP_FAULT) a point is a no-op.
TEST(FaultPoints, UnarmedPointsDoNothing) {
  for (const std::string& name : fault_point_names()) fault_point(name);
  fault_point("train", "result_before_status");
  SUCCEED();
}

// The variable is read when the program starts, before any command runs.
TEST(FaultPoints, BinaryRefusesABadVariableAtStart) {
  std::string output;
  const int status = testing::run_command(
      "POPSWEEP_FAULT=no.such_point '" + testing::popsweep_binary() + "' --help", &output);
  EXPECT_NE(status, 0);
  EXPECT_NE(output.find("no fault point 'no.such_point'"), std::string::npos) << output;
}

TEST(FaultPoints, BinaryRefusesAnUnknownAction) {
  std::string output;
  const int status = testing::run_command("POPSWEEP_FAULT=train.mid_epoch POPSWEEP_FAULT_ACTION=sleep '" +
                                              testing::popsweep_binary() + "' --help",
                                          &output);
  EXPECT_NE(status, 0);
  EXPECT_NE(output.find("POPSWEEP_FAULT_ACTION=sleep: expected kill or hang"), std::string::npos) << output;
}

}  // namespace
}  // namespace popsweep
