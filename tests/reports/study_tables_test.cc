// The study tables (issue 19) on hand-made results: per-profile rows, the
// pooled row (mean, sample std, min, max across profiles) and the paired
// t-test over profiles, all computed by hand below.
#include "reports/study_tables.h"

#include <gtest/gtest.h>

#include <cmath>

namespace popsweep::reports {
namespace {

ResultGroup group(const std::string& profile, const std::string& experiment, double accuracy) {
  ResultGroup g;
  g.point = nlohmann::json{{"profile", profile}, {"train.epochs", "3"}}.dump();
  g.experiment = experiment;
  g.classes = 2;
  g.best.accuracy = {accuracy, 0.01};
  return g;
}

TEST(StudyTables, RowPerProfilePooledRowAndPairedTestOverProfiles) {
  SweepResults results;
  // image: 0.7, 0.6, 0.8; cnn_rnn: 0.5, 0.55, 0.6 on profiles a, b, c.
  for (const auto& [profile, image, video] : std::vector<std::tuple<std::string, double, double>>{
           {"c", 0.8, 0.6}, {"a", 0.7, 0.5}, {"b", 0.6, 0.55}}) {
    results.groups.push_back(group(profile, "image", image));
    results.groups.push_back(group(profile, "cnn_rnn", video));
  }
  const StudyTables study =
      study_tables(results, {{"a", "p/a", ""}, {"bad", "p/bad", "posts.csv:3: no likes"}});
  ASSERT_EQ(study.rows.size(), 2u);
  const StudyRow& image = study.rows[0];
  EXPECT_EQ(image.experiment, "image");
  EXPECT_EQ(image.point, R"({"train.epochs":"3"})");
  ASSERT_EQ(image.profiles.size(), 3u);
  EXPECT_EQ(image.profiles[0].profile, "a");  // by name
  EXPECT_DOUBLE_EQ(image.profiles[2].accuracy, 0.8);
  // mean 0.7; sample std sqrt((0.01 + 0 + 0.01) / 2) = 0.1
  EXPECT_NEAR(image.pooled_mean, 0.7, 1e-12);
  EXPECT_NEAR(image.pooled_std, 0.1, 1e-12);
  EXPECT_DOUBLE_EQ(image.pooled_min, 0.6);
  EXPECT_DOUBLE_EQ(image.pooled_max, 0.8);

  // Differences 0.2, 0.05, 0.2: mean 0.15, sample sd sqrt(0.0075), t = 0.15 / (sd / sqrt 3) = 3.0 on 2
  // degrees of freedom; p = 2 (1 - F(3)) with F(t) = 1/2 + t / (2 sqrt(2 + t^2)) = 0.0954659...
  ASSERT_EQ(study.comparisons.size(), 1u);
  const StudyComparison& c = study.comparisons[0];
  EXPECT_EQ(c.first, "image");
  EXPECT_EQ(c.second, "cnn_rnn");
  EXPECT_EQ(c.profiles, 3);
  EXPECT_NEAR(c.t_test.mean_difference, 0.15, 1e-12);
  ASSERT_TRUE(c.t_test.t_statistic && c.t_test.p_value);
  EXPECT_NEAR(*c.t_test.t_statistic, 3.0, 1e-9);
  EXPECT_NEAR(*c.t_test.p_value, 1.0 - 3.0 / std::sqrt(11.0), 1e-9);

  ASSERT_EQ(study.failed.size(), 1u);
  EXPECT_EQ(study.failed[0].name, "bad");
  const std::vector<TextTable> tables = study_text_tables(study);
  ASSERT_EQ(tables.size(), 3u);
  EXPECT_EQ(tables[0].rows.size(), 8u);  // 3 profiles + pooled, twice
  EXPECT_EQ(tables[0].rows[3][3], "pooled");
  EXPECT_EQ(tables[2].rows[0][2], "posts.csv:3: no likes");
}

TEST(StudyTables, SweepOfOneProfileHasNoStudy) {
  SweepResults results;
  ResultGroup plain = group("a", "image", 0.7);
  plain.point = "{}";
  results.groups.push_back(plain);
  EXPECT_TRUE(study_tables(results, {}).empty());
}

}  // namespace
}  // namespace popsweep::reports
