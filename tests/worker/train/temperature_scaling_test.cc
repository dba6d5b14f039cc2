// Temperature scaling (issue 22) against its closed form: for two classes
// where every item has confidence c and a share a of them is right, the NLL
// is least where the tempered confidence equals a, i.e. 1/T = logit(a) /
// logit(c). c = 0.9, a = 0.75: 1/T = ln 3 / ln 9 = 1/2, T = 2.
#include "worker/train/temperature_scaling.h"

#include <gtest/gtest.h>

#include <cmath>

namespace popsweep::train {
namespace {

TEST(TemperatureScalingTest, FitsTheClosedFormTemperature) {
  ClassProbabilities probabilities{2, {}};
  std::vector<int> truth;
  for (int i = 0; i < 400; ++i) {
    probabilities.values.insert(probabilities.values.end(), {0.9, 0.1});
    truth.push_back(i % 4 == 3 ? 1 : 0);  // 3 in 4 right
  }
  const double temperature = fit_temperature(probabilities, truth);
  EXPECT_NEAR(temperature, 2.0, 1e-6);
  const ClassProbabilities tempered = apply_temperature(probabilities, temperature);
  EXPECT_NEAR(tempered.at(0, 0), 0.75, 1e-6);
  EXPECT_NEAR(tempered.at(0, 0) + tempered.at(0, 1), 1.0, 1e-12);
  // The fitted T is the minimum: a step either way costs likelihood.
  const double best = tempered_negative_log_likelihood(probabilities, truth, temperature);
  EXPECT_LT(best, tempered_negative_log_likelihood(probabilities, truth, temperature * 1.05));
  EXPECT_LT(best, tempered_negative_log_likelihood(probabilities, truth, temperature / 1.05));
}

TEST(TemperatureScalingTest, UnderconfidentModelsGetATemperatureBelowOne) {
  // Confidence 0.6 but 9 in 10 right: 1/T = ln 9 / ln 1.5, T = 0.1845.
  ClassProbabilities probabilities{3, {}};
  std::vector<int> truth;
  for (int i = 0; i < 100; ++i) {
    probabilities.values.insert(probabilities.values.end(), {0.2, 0.6, 0.2});
    truth.push_back(i % 10 == 0 ? 0 : 1);
  }
  const double temperature = fit_temperature(probabilities, truth);
  EXPECT_LT(temperature, 1.0);
  const ClassProbabilities tempered = apply_temperature(probabilities, temperature);
  EXPECT_GT(tempered.at(0, 1), 0.85);
  EXPECT_EQ(predicted_classes(tempered), predicted_classes(probabilities));  // the argmax stays
}

TEST(TemperatureScalingTest, RejectsMismatchedLabels) {
  ClassProbabilities probabilities{2, {0.5, 0.5}};
  EXPECT_THROW(fit_temperature(probabilities, {}), std::exception);
  EXPECT_THROW(fit_temperature(probabilities, {0, 1}), std::exception);
}

}  // namespace
}  // namespace popsweep::train
