// Which figures a report draws: a line chart per swept key that takes two or
// more values, and no learning-curve chart for a group without history.
#include "reports/report_charts.h"

#include <gtest/gtest.h>

namespace popsweep::reports {
namespace {

ResultGroup scored_group(const std::string& point, double mean, double std) {
  ResultGroup group;
  group.point = point;
  group.experiment = "image";
  group.classes = 2;
  group.best.accuracy = {mean, std};
  group.best.confusion = {{1, 0}, {0, 0}, {0, 0}, {1, 0}};
  return group;
}

TEST(ReportCharts, OneLineChartPerSweptKeyWithAtLeastTwoValues) {
  SweepResults results;
  results.groups.push_back(scored_group(R"({"labels.window_weeks":2,"train.epochs":8})", 0.6, 0.01));
  results.groups.push_back(scored_group(R"({"labels.window_weeks":4,"train.epochs":8})", 0.7, 0.02));
  const std::vector<ReportChart> charts = sweep_parameter_charts(results);
  ASSERT_EQ(charts.size(), 1u);  // train.epochs has a single value
  EXPECT_EQ(charts[0].file_stem, "sweep_labels_window_weeks");
  EXPECT_NE(charts[0].svg.find("<svg"), std::string::npos);
  EXPECT_NE(charts[0].title.find("labels.window_weeks"), std::string::npos);
}

TEST(ReportCharts, NothingSweptDrawsNoParameterChart) {
  SweepResults results;
  results.groups.push_back(scored_group("{}", 0.6, 0.01));
  EXPECT_TRUE(sweep_parameter_charts(results).empty());
}

TEST(ReportCharts, GroupsWithoutEpochHistoryGetNoLearningCurve) {
  SweepResults results;
  results.groups.push_back(scored_group("{}", 0.6, 0.01));
  EXPECT_TRUE(learning_curve_charts(results).empty());
  EXPECT_EQ(confusion_charts(results).size(), 1u);
  EXPECT_NE(confusion_charts(results)[0].svg.find("1.00±0.00"), std::string::npos);
}

}  // namespace
}  // namespace popsweep::reports
