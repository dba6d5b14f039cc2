// `predict --point`: one sweep point's models, never a mix (issue 24). The
// points are written as storage::load_sweep_points holds them.
#include "reports/sweep_point_choice.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace popsweep::reports {
namespace {

const std::string kWindow4Rate1 = R"({"labels.window_weeks":"4","train.lr":"0.001"})";
const std::string kWindow4Rate2 = R"({"labels.window_weeks":"4","train.lr":"0.01"})";
const std::string kWindow8Rate1 = R"({"labels.window_weeks":"8","train.lr":"0.001"})";
const std::vector<std::string> kFourPoints = {kWindow4Rate1, kWindow4Rate2, kWindow8Rate1,
                                              R"({"labels.window_weeks":"8","train.lr":"0.01"})"};

std::string error_of(const std::vector<std::string>& points, const std::vector<std::string>& arguments) {
  try {
    choose_sweep_point(points, parse_point_settings(arguments), "study");
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}

TEST(SweepPointChoice, ASweepOfOnePointNeedsNoChoice) {
  EXPECT_EQ(choose_sweep_point({"{}"}, {}, "study"), "{}");
  EXPECT_EQ(choose_sweep_point({kWindow4Rate1}, {}, "study"), kWindow4Rate1);
}

TEST(SweepPointChoice, EveryKeyNamedPicksThatPoint) {
  EXPECT_EQ(
      choose_sweep_point(kFourPoints, parse_point_settings({"labels.window_weeks=4", "train.lr=0.01"}), "s"),
      kWindow4Rate2);
  // Numbers match by value: 1e-3 is the stored 0.001, 8.0 the stored 8.
  EXPECT_EQ(choose_sweep_point(kFourPoints,
                               parse_point_settings({"train.lr=1e-3", "labels.window_weeks=8.0"}), "s"),
            kWindow8Rate1);
}

TEST(SweepPointChoice, NoChoiceAmongSeveralListsThemAndHowToChoose) {
  const std::string message = error_of({kWindow4Rate1, kWindow8Rate1}, {});
  EXPECT_NE(message.find("2 model sets"), std::string::npos) << message;
  EXPECT_NE(message.find("--point labels.window_weeks=4 train.lr=0.001"), std::string::npos) << message;
  EXPECT_NE(message.find("--point labels.window_weeks=8 train.lr=0.001"), std::string::npos) << message;
}

TEST(SweepPointChoice, APartialChoiceListsOnlyThePointsItLeavesOpen) {
  const std::string message = error_of(kFourPoints, {"labels.window_weeks=4"});
  EXPECT_NE(message.find("2 model sets"), std::string::npos) << message;
  EXPECT_NE(message.find("train.lr=0.01"), std::string::npos) << message;
  EXPECT_EQ(message.find("labels.window_weeks=8"), std::string::npos) << message;
}

TEST(SweepPointChoice, AKeyNotSweptIsNamedWithTheSweptKeys) {
  const std::string message = error_of(kFourPoints, {"train.epochs=3"});
  EXPECT_NE(message.find("does not sweep train.epochs"), std::string::npos) << message;
  EXPECT_NE(message.find("labels.window_weeks, train.lr"), std::string::npos) << message;
  EXPECT_NE(error_of({"{}"}, {"train.lr=0.1"}).find("it sweeps nothing"), std::string::npos);
}

TEST(SweepPointChoice, AValueNoPointHasIsNamedWithTheValuesItHas) {
  const std::string message = error_of(kFourPoints, {"labels.window_weeks=6", "train.lr=0.01"});
  EXPECT_NE(message.find("labels.window_weeks=6"), std::string::npos) << message;
  EXPECT_NE(message.find("its values: 4, 8"), std::string::npos) << message;
}

TEST(SweepPointChoice, ACombinationNoPointHasListsThePoints) {
  const std::string message =
      error_of({kWindow4Rate1, kWindow8Rate1, kWindow4Rate2}, {"labels.window_weeks=8", "train.lr=0.01"});
  EXPECT_NE(message.find("no point with all"), std::string::npos) << message;
  EXPECT_NE(message.find("--point labels.window_weeks=4 train.lr=0.01"), std::string::npos) << message;
}

TEST(SweepPointChoice, MalformedSettingsAreRefused) {
  EXPECT_THROW(parse_point_settings({"labels.window_weeks"}), ConfigError);
  EXPECT_THROW(parse_point_settings({"=4"}), ConfigError);
  EXPECT_THROW(parse_point_settings({"train.lr=0.1", "train.lr=0.01"}), ConfigError);
}

TEST(SweepPointChoice, ListValuesAreQuotedForTheShell) {
  EXPECT_EQ(point_arguments(R"({"train.classes":"[2, 3]"})"), "--point \"train.classes=[2, 3]\"");
  EXPECT_EQ(point_arguments("{}"), "(the sweep's only point)");
}

}  // namespace
}  // namespace popsweep::reports
