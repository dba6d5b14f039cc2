#include "worker/features/duplicate_threshold.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace popsweep::features {

std::vector<HistogramBin> distance_histogram(const std::vector<double>& distances, int bins) {
  std::vector<double> finite;
  for (const double d : distances) {
    if (std::isfinite(d)) finite.push_back(d);
  }
  std::vector<HistogramBin> histogram;
  if (finite.empty() || bins < 1) return histogram;
  const auto [low, high] = std::minmax_element(finite.begin(), finite.end());
  const double width = *high > *low ? (*high - *low) / bins : 1.0;
  for (int b = 0; b < bins; ++b) histogram.push_back({*low + b * width, *low + (b + 1) * width, 0});
  for (const double d : finite) {
    const int b = std::min(bins - 1, static_cast<int>((d - *low) / width));
    ++histogram[static_cast<size_t>(b)].count;
  }
  return histogram;
}

ThresholdSuggestion suggest_threshold(const std::vector<double>& nearest_distances) {
  std::vector<double> logs;
  for (const double d : nearest_distances) {
    if (std::isfinite(d)) logs.push_back(std::log(std::max(d, 1e-6)));
  }
  if (logs.size() < 3) return {std::nullopt, "too few media to suggest a threshold"};
  std::sort(logs.begin(), logs.end());
  // The bulk is described by its median and a robust spread; the left tail
  // is whatever sits far below the bulk. A real valley is a gap between
  // consecutive sorted values wider than the bulk's own spread; below that
  // the "tail" is just the bulk's lower end. The threshold goes into the
  // highest such gap under the bulk's edge: the tail itself is spread out
  // (a crop lies farther from its original than a re-encode), so a wider
  // gap inside the tail must not cut part of it off.
  const double median = logs[logs.size() / 2];
  const double quartile = logs[logs.size() / 4];
  const double spread = std::max(median - quartile, 1e-3);
  const double bulk_edge = median - 4 * spread;
  double cut = std::numeric_limits<double>::quiet_NaN();
  for (size_t i = 0; i + 1 < logs.size() && logs[i] < bulk_edge; ++i) {
    if (logs[i + 1] - logs[i] >= spread) cut = (logs[i] + logs[i + 1]) / 2;
  }
  if (std::isnan(cut)) {
    return {std::nullopt, fmt::format("no separate left tail in the nearest-neighbour distances (median {:.3g}); "
                                      "no near duplicates suggested",
                                      std::exp(median))};
  }
  const double threshold = std::exp(cut);
  const auto below = std::count_if(logs.begin(), logs.end(), [&](double v) { return v < cut; });
  return {threshold, fmt::format("suggested threshold {:.4g}: it cuts the left tail of {} media off the bulk of "
                                 "nearest-neighbour distances (median {:.4g})",
                                 threshold, below, std::exp(median))};
}

}  // namespace popsweep::features
