// What `predict` warns about (issue 22): centred labels, and a profile whose
// last post is older than the label window.
#include "reports/prediction_context.h"

#include <gtest/gtest.h>

#include "reports/candidate_scoring.h"

namespace popsweep::reports {
namespace {

constexpr std::int64_t kWeek = 7 * 24 * 3600;

PredictionContext context(const std::string& mode, double window_weeks, std::int64_t last_post) {
  PredictionContext c;
  c.label_mode = mode;
  c.window_weeks = window_weeks;
  c.last_profile_post = last_post;
  return c;
}

TEST(PredictionContextTest, WarnsOnCentredLabels) {
  const std::vector<std::string> warnings =
      prediction_warnings(context("centered", 4, 100 * kWeek), 101 * kWeek);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("centred labels"), std::string::npos);
  EXPECT_TRUE(prediction_warnings(context("trailing", 4, 100 * kWeek), 101 * kWeek).empty());
}

TEST(PredictionContextTest, WarnsWhenTheLastPostIsOlderThanTheLabelWindow) {
  // 4-week window: 3 weeks old is fresh, 5 weeks old is stale.
  EXPECT_TRUE(prediction_warnings(context("trailing", 4, 100 * kWeek), 103 * kWeek).empty());
  const std::vector<std::string> stale =
      prediction_warnings(context("trailing", 4, 100 * kWeek), 105 * kWeek);
  ASSERT_EQ(stale.size(), 1u);
  EXPECT_NE(stale[0].find("5 weeks old"), std::string::npos) << stale[0];
  EXPECT_NE(stale[0].find("label window of 4 weeks"), std::string::npos) << stale[0];
  // Global labels have no window.
  EXPECT_TRUE(prediction_warnings(context("global", 0, 100 * kWeek), 900 * kWeek).empty());
}

TEST(PredictionContextTest, TemperingKeepsTheClassAndReranks) {
  std::vector<ScoredCandidate> scored(2);
  scored[0] = {"a.jpg", {0.5, 0.3, 0.2}, 0, 0.7, 1};
  scored[1] = {"b.jpg", {0.6, 0.0, 0.4}, 0, 0.8, 2};
  PredictionContext c;
  c.temperature = 2.0;
  apply_prediction_temperature(scored, c);
  // T = 2: p ∝ sqrt(p). a: sqrt(.5), sqrt(.3), sqrt(.2) normalised.
  const double sa = std::sqrt(0.5) + std::sqrt(0.3) + std::sqrt(0.2);
  const ScoredCandidate& a = scored[0].file == "a.jpg" ? scored[0] : scored[1];
  EXPECT_NEAR(a.probabilities[0], std::sqrt(0.5) / sa, 1e-9);
  EXPECT_NEAR(a.expected_class, (std::sqrt(0.3) + 2 * std::sqrt(0.2)) / sa, 1e-9);
  EXPECT_EQ(a.predicted_class, 0);
  EXPECT_EQ(scored[0].rank, 1);
  EXPECT_GE(scored[0].expected_class, scored[1].expected_class);
}

}  // namespace
}  // namespace popsweep::reports
