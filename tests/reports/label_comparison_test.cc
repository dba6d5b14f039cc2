// Cohen's kappa for points that vary a labels.* key (issue 19), against
// values computed by hand (and equal to sklearn.metrics.cohen_kappa_score).
#include "reports/label_comparison.h"

#include <gtest/gtest.h>

namespace popsweep::reports {
namespace {

TEST(LabelComparison, CohenKappaByHand) {
  // 10 items, truth 4 x class 0 and 6 x class 1; predictions 5 and 5; 7 agree.
  // p_o = 0.7, p_e = 0.4 * 0.5 + 0.6 * 0.5 = 0.5, kappa = (0.7 - 0.5) / 0.5 = 0.4.
  const std::vector<int> truth{0, 0, 0, 0, 1, 1, 1, 1, 1, 1};
  const std::vector<int> predicted{0, 0, 0, 1, 1, 1, 1, 1, 0, 0};
  ASSERT_TRUE(cohen_kappa(truth, predicted, 2));
  EXPECT_NEAR(*cohen_kappa(truth, predicted, 2), 0.4, 1e-12);
  // Three classes: truth (0,0,1,1,2,2), predicted (0,1,1,1,2,0): p_o = 4/6,
  // p_e = (2*2 + 2*3 + 2*1) / 36 = 1/3, kappa = (2/3 - 1/3) / (2/3) = 0.5.
  EXPECT_NEAR(*cohen_kappa({0, 0, 1, 1, 2, 2}, {0, 1, 1, 1, 2, 0}, 3), 0.5, 1e-12);
}

TEST(LabelComparison, ConstantGuessScoresZeroWhateverTheBalance) {
  // Always the majority class: accuracy 0.8, yet kappa 0.
  EXPECT_NEAR(*cohen_kappa({1, 1, 1, 1, 0}, {1, 1, 1, 1, 1}, 2), 0.0, 1e-12);
  // One class only, predicted so: 0/0, undefined.
  EXPECT_FALSE(cohen_kappa({1, 1}, {1, 1}, 2));
}

TEST(LabelComparison, TableOnlyWhenALabelsKeyVaries) {
  SweepResults results;
  ResultGroup g;
  g.experiment = "image";
  g.classes = 2;
  TrainedJob job;
  job.best.true_classes = {0, 0, 0, 0, 1, 1, 1, 1, 1, 1};
  job.best.probabilities.classes = 2;
  for (const int p : {0, 0, 0, 1, 1, 1, 1, 1, 0, 0}) {
    job.best.probabilities.values.push_back(p == 0 ? 0.9f : 0.1f);
    job.best.probabilities.values.push_back(p == 0 ? 0.1f : 0.9f);
  }
  g.jobs.push_back(job);
  g.point = R"({"train.lr":"0.01"})";
  results.groups.push_back(g);
  g.point = R"({"train.lr":"0.1"})";
  results.groups.push_back(g);
  EXPECT_FALSE(varies_label_keys(results));
  EXPECT_TRUE(label_comparison_tables(results).empty());

  results.groups[0].point = R"({"labels.window_weeks":"4"})";
  results.groups[1].point = R"({"labels.window_weeks":"8"})";
  ASSERT_TRUE(varies_label_keys(results));
  const std::vector<LabelPointRow> rows = label_point_rows(results);
  ASSERT_EQ(rows.size(), 2u);
  ASSERT_TRUE(rows[0].kappa);
  EXPECT_NEAR(rows[0].kappa->mean, 0.4, 1e-12);
  const std::vector<TextTable> tables = label_comparison_tables(results);
  ASSERT_EQ(tables.size(), 1u);
  EXPECT_EQ(tables[0].rows[0].back(), "0.400 ± 0.000");
}

}  // namespace
}  // namespace popsweep::reports
