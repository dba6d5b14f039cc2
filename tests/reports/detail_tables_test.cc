// How the paired comparisons read in report.md / report.html and in
// results.json when the t-test is undefined (issue 24: every split showing
// the same difference used to print p = 0.000 and "t = inf").
#include "reports/detail_tables.h"

#include <gtest/gtest.h>

#include "reports/results_tables.h"

namespace popsweep::reports {
namespace {

// cnn_rnn better than image by exactly 0.1 on each of 3 splits.
SweepResults same_difference_on_every_split() {
  SweepResults results;
  ExperimentComparison c;
  c.point = "{}";
  c.classes = 2;
  c.first = "cnn_rnn";
  c.second = "image";
  c.splits = 3;
  c.t_test = corrected_resampled_t_test({0.1, 0.1, 0.1}, 1.0 / 3);
  c.mean_difference = c.t_test->mean_difference;
  results.comparisons.push_back(c);
  return results;
}

TEST(ComparisonsTable, AnUndefinedTTestReadsNotApplicableWithItsReason) {
  const TextTable table = comparisons_table(same_difference_on_every_split());
  ASSERT_EQ(table.rows.size(), 1u);
  const std::vector<std::string>& row = table.rows[0];
  ASSERT_EQ(row.size(), table.header.size());
  EXPECT_EQ(row[table.header.size() - 2], "t undefined");
  EXPECT_EQ(row.back(), "n/a (all 3 splits differ by exactly +0.100: no spread, so t is infinite)");
  bool explained = false;
  for (const std::string& note : comparisons_notes(same_difference_on_every_split()))
    explained |= note.find("otherwise p is undefined (n/a) rather than 0") != std::string::npos;
  EXPECT_TRUE(explained);
}

TEST(ComparisonsJson, AnUndefinedTTestIsNullWithItsReason) {
  const nlohmann::json json = results_json(same_difference_on_every_split());
  const nlohmann::json& comparison = json.at("comparisons").at(0);
  EXPECT_TRUE(comparison.at("p_value").is_null());
  EXPECT_TRUE(comparison.at("t").is_null());
  EXPECT_EQ(comparison.at("p_value_undefined_because"),
            "all 3 splits differ by exactly +0.100: no spread, so t is infinite");
}

}  // namespace
}  // namespace popsweep::reports
