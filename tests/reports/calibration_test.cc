// ECE, Brier score and reliability bins (issue 22) on hand-computed cases.
#include "reports/calibration.h"

#include <gtest/gtest.h>

namespace popsweep::reports {
namespace {

train::JobPredictions job(int classes, std::vector<int> truth, std::vector<double> probabilities) {
  train::JobPredictions j;
  j.true_classes = std::move(truth);
  j.probabilities.classes = classes;
  j.probabilities.values = std::move(probabilities);
  return j;
}

// Four items, two classes, in two jobs:
//   p = [0.9, 0.1] truth 0: confidence 0.9 (bin 9), right; Brier 0.01 + 0.01 = 0.02
//   p = [0.8, 0.2] truth 1: confidence 0.8 (bin 8), wrong; Brier 0.64 + 0.64 = 1.28
//   p = [0.3, 0.7] truth 1: confidence 0.7 (bin 7), right; Brier 0.09 + 0.09 = 0.18
//   p = [0.0, 1.0] truth 1: confidence 1.0 (last bin, 9), right; Brier 0
// bin 7: |1 - 0.7| = 0.3; bin 8: |0 - 0.8| = 0.8; bin 9: accuracy 1, mean confidence 0.95: 0.05 x 2 items
// ECE = (0.3 + 0.8 + 2 x 0.05) / 4 = 0.3; Brier = 1.48 / 4 = 0.37
TEST(CalibrationTest, EceAndBrierByHand) {
  const train::JobPredictions a = job(2, {0, 1}, {0.9, 0.1, 0.8, 0.2});
  const train::JobPredictions b = job(2, {1, 1}, {0.3, 0.7, 0.0, 1.0});
  const CalibrationSummary summary = calibration_of({&a, &b});
  EXPECT_EQ(summary.items, 4);
  EXPECT_NEAR(summary.expected_calibration_error, 0.3, 1e-12);
  EXPECT_NEAR(summary.brier, 0.37, 1e-12);
  ASSERT_EQ(summary.bins.size(), 10u);
  EXPECT_EQ(summary.bins[9].items, 2);
  EXPECT_NEAR(summary.bins[9].mean_confidence, 0.95, 1e-12);
  EXPECT_EQ(summary.bins[8].accuracy, 0.0);
  EXPECT_EQ(summary.bins[0].items, 0);
  EXPECT_NEAR(summary.bins[3].from, 0.3, 1e-12);
}

// Three classes: p = [0.2, 0.5, 0.3], truth 2: Brier 0.04 + 0.25 + 0.49 = 0.78;
// confidence 0.5 (bin 5), wrong: ECE 0.5.
TEST(CalibrationTest, MultiClassBrierSumsOverClasses) {
  const train::JobPredictions a = job(3, {2}, {0.2, 0.5, 0.3});
  const CalibrationSummary summary = calibration_of({&a});
  EXPECT_NEAR(summary.brier, 0.78, 1e-12);
  EXPECT_NEAR(summary.expected_calibration_error, 0.5, 1e-12);
  EXPECT_EQ(summary.bins[5].items, 1);
}

}  // namespace
}  // namespace popsweep::reports
