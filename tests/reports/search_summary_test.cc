// reports/search_summary.cc: a search's trials ranked by its objective with
// mean ± std and their parameters, and one scatter per key, on a log10 axis
// for a log range; a grid sweep has no search summary.
#include "reports/search_summary.h"

#include <gtest/gtest.h>

namespace popsweep::reports {
namespace {

ResultGroup trial_group(int trial, const std::string& lr, const std::string& experiment, int classes,
                        double best, double last) {
  ResultGroup group;
  group.point =
      nlohmann::json{{"search.trial", trial}, {"train.lr", lr}, {"labels.window_weeks", "8"}}.dump();
  group.experiment = experiment;
  group.classes = classes;
  group.best.accuracy = {best, 0.01 * trial};
  group.last.accuracy = {last, 0.02};
  group.best.runs.resize(3);
  group.last.runs.resize(3);
  return group;
}

SweepResults search_results(const std::string& epoch) {
  SweepResults results;
  results.sweep.spec_text = nlohmann::json{{"points", nlohmann::json::array()},
                                           {"search",
                                            {{"method", "tpe"},
                                             {"experiments", {"image"}},
                                             {"classes", 2},
                                             {"metric", "accuracy"},
                                             {"epoch", epoch},
                                             {"keys", {{{"path", "train.lr"}, {"range", "loguniform"}}}}}}}
                                .dump();
  results.groups.push_back(trial_group(0, "0.001", "image", 2, 0.60, 0.70));
  results.groups.push_back(trial_group(1, "0.01", "image", 2, 0.75, 0.50));
  results.groups.push_back(trial_group(2, "0.1", "image", 2, 0.65, 0.55));
  results.groups.push_back(trial_group(1, "0.01", "cnn_rnn", 2, 0.99, 0.99));  // not the objective
  results.groups.push_back(trial_group(2, "0.1", "image", 3, 0.99, 0.99));     // another K
  return results;
}

TEST(SearchSummary, TrialsRankedByTheObjectiveWithTheirParameters) {
  const std::optional<SearchSummary> summary = summarize_search(search_results("best"));
  ASSERT_TRUE(summary);
  ASSERT_EQ(summary->rows.size(), 3u);
  EXPECT_EQ(summary->rows[0].trial, 1);
  EXPECT_EQ(summary->rows[1].trial, 2);
  EXPECT_EQ(summary->rows[2].trial, 0);
  const TextTable table = best_trials_table(*summary, 2);
  ASSERT_EQ(table.rows.size(), 2u);
  EXPECT_EQ(table.header[5], "train.lr");
  EXPECT_EQ(table.header[6], "labels.window_weeks");  // the grid axis beside the search
  EXPECT_EQ(table.rows[0][3], "0.7500 ± 0.0100");
  EXPECT_EQ(table.rows[0][4], "3");
  EXPECT_EQ(table.rows[0][5], "0.01");
  EXPECT_NE(table.caption.find("3 trial(s) scored"), std::string::npos) << table.caption;
  // At the last epoch the order changes.
  EXPECT_EQ(summarize_search(search_results("last"))->rows[0].trial, 0);
}

TEST(SearchSummary, LogRangesGetALog10Axis) {
  const std::vector<ReportChart> charts = search_parameter_charts(*summarize_search(search_results("best")));
  ASSERT_EQ(charts.size(), 2u);
  EXPECT_EQ(charts[0].file_stem, "search_train_lr");
  EXPECT_NE(charts[0].svg.find("log10 train.lr"), std::string::npos);
  EXPECT_NE(charts[0].svg.find("trial 1: train.lr = 0.01, score 0.7500"), std::string::npos);
  EXPECT_EQ(charts[1].svg.find("log10"), std::string::npos);  // labels.window_weeks: a linear axis
}

TEST(SearchSummary, AGridHasNone) {
  SweepResults results;
  results.sweep.spec_text = R"({"points": []})";
  EXPECT_FALSE(summarize_search(results));
}

}  // namespace
}  // namespace popsweep::reports
