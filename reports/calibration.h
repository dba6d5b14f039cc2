// Whether a group's probabilities mean what they say, from its stored
// out-of-fold predictions (pooled over folds and repeats): the expected
// calibration error over equal-width bins of the top-class probability (the
// confidence), the multi-class Brier score, and the bins themselves for a
// reliability diagram. ECE = sum over bins of (items in bin / items) x
// |accuracy in bin - mean confidence in bin| (Guo et al. 2017, 10 bins; a
// confidence of exactly 1 falls in the last bin). Brier = mean over items of
// sum over classes of (p_c - [c is the true class])^2, so it runs from 0 to 2
// (sklearn's binary brier_score_loss is half of it for K = 2).
#pragma once

#include <vector>

#include "worker/train/aggregation.h"

namespace popsweep::reports {

constexpr int kReliabilityBins = 10;

struct ReliabilityBin {
  double from = 0;
  double to = 0;
  int items = 0;
  double mean_confidence = 0;  // 0 where the bin is empty
  double accuracy = 0;
};

struct CalibrationSummary {
  int items = 0;
  double expected_calibration_error = 0;
  double brier = 0;
  std::vector<ReliabilityBin> bins;
};

CalibrationSummary calibration_of(const std::vector<const train::JobPredictions*>& jobs,
                                  int bins = kReliabilityBins);

}  // namespace popsweep::reports
