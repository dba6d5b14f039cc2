#include "reports/calibration.h"

#include <algorithm>
#include <cmath>

namespace popsweep::reports {

CalibrationSummary calibration_of(const std::vector<const train::JobPredictions*>& jobs, int bins) {
  CalibrationSummary summary;
  summary.bins.resize(static_cast<std::size_t>(bins));
  std::vector<double> confidence_sums(summary.bins.size()), right(summary.bins.size());
  double brier_sum = 0;
  for (const train::JobPredictions* job : jobs) {
    const train::ClassProbabilities& p = job->probabilities;
    for (std::size_t i = 0; i < job->true_classes.size(); ++i) {
      int top = 0;
      for (int c = 0; c < p.classes; ++c) {
        if (p.at(i, c) > p.at(i, top)) top = c;
        const double target = c == job->true_classes[i] ? 1.0 : 0.0;
        brier_sum += (p.at(i, c) - target) * (p.at(i, c) - target);
      }
      const double confidence = p.at(i, top);
      const int bin = std::clamp(static_cast<int>(std::floor(confidence * bins)), 0, bins - 1);
      ReliabilityBin& b = summary.bins[static_cast<std::size_t>(bin)];
      ++b.items;
      confidence_sums[static_cast<std::size_t>(bin)] += confidence;
      right[static_cast<std::size_t>(bin)] += top == job->true_classes[i];
      ++summary.items;
    }
  }
  for (std::size_t b = 0; b < summary.bins.size(); ++b) {
    ReliabilityBin& bin = summary.bins[b];
    bin.from = static_cast<double>(b) / bins;
    bin.to = static_cast<double>(b + 1) / bins;
    if (bin.items == 0) continue;
    bin.mean_confidence = confidence_sums[b] / bin.items;
    bin.accuracy = right[b] / bin.items;
    summary.expected_calibration_error +=
        static_cast<double>(bin.items) / summary.items * std::abs(bin.accuracy - bin.mean_confidence);
  }
  if (summary.items > 0) summary.brier = brier_sum / summary.items;
  return summary;
}

}  // namespace popsweep::reports
