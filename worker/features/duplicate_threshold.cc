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

namespace {

// A split of the sorted log distances into a lower class [0, split) and an
// upper one [split, n), with the statistics that judge it.
struct Split {
  size_t split = 0;
  double separation = 0;  // distance between the class means in pooled standard deviations
};

// Otsu's split: the one that maximises the between-class variance, found in
// one pass over prefix sums.
Split best_split(const std::vector<double>& logs) {
  const size_t n = logs.size();
  std::vector<double> sum(n + 1, 0.0), squares(n + 1, 0.0);
  for (size_t i = 0; i < n; ++i) {
    sum[i + 1] = sum[i] + logs[i];
    squares[i + 1] = squares[i] + logs[i] * logs[i];
  }
  Split best;
  double best_between = -1;
  for (size_t k = 1; k < n; ++k) {
    if (logs[k] == logs[k - 1]) continue;  // a split between equal values is no split
    const double lower_n = static_cast<double>(k), upper_n = static_cast<double>(n - k);
    const double lower_mean = sum[k] / lower_n, upper_mean = (sum[n] - sum[k]) / upper_n;
    const double between = lower_n * upper_n * (upper_mean - lower_mean) * (upper_mean - lower_mean);
    if (between <= best_between) continue;
    best_between = between;
    const double within = (squares[n] - lower_n * lower_mean * lower_mean - upper_n * upper_mean * upper_mean) /
                          static_cast<double>(n);
    best.split = k;
    best.separation = (upper_mean - lower_mean) / std::sqrt(std::max(within, 1e-12));
  }
  return best;
}

// The z with P(Z > z) = tail for a standard normal Z, by bisection on erfc
// (monotone, so 100 halvings are exact to double precision).
double upper_normal_quantile(double tail) {
  double low = 0, high = 40;
  for (int i = 0; i < 100; ++i) {
    const double mid = (low + high) / 2;
    (0.5 * std::erfc(mid / std::sqrt(2.0)) > tail ? low : high) = mid;
  }
  return (low + high) / 2;
}

// Where the bulk of distinct pictures ends on the left, on a log scale: its
// median less z robust deviations, measured on its left side only (the right
// side is stretched by pictures unlike any other), with z chosen so that a
// normal bulk of this size would put half a picture below the edge.
double bulk_left_edge(const std::vector<double>& logs, size_t split) {
  const size_t n = logs.size() - split;
  const double median = logs[split + n / 2];
  const double lower_quartile = logs[split + n / 4];
  constexpr double kQuartileInDeviations = 0.6744897501960817;  // P(Z < -0.674...) = 1/4
  const double deviation = (median - lower_quartile) / kQuartileInDeviations;
  return median - upper_normal_quantile(0.5 / static_cast<double>(n)) * deviation;
}

}  // namespace

ThresholdSuggestion suggest_threshold(const std::vector<double>& nearest_distances) {
  std::vector<double> logs;
  for (const double d : nearest_distances) {
    if (std::isfinite(d)) logs.push_back(std::log(std::max(d, 1e-6)));
  }
  if (logs.size() < 3) return {std::nullopt, "too few media to suggest a threshold"};
  std::sort(logs.begin(), logs.end());
  const double median = logs[logs.size() / 2];
  // On a log scale the near duplicates form a tail far below the bulk of
  // distinct pictures. Otsu's split separates the two; it is a real tail only
  // when it is the smaller class and lies many within-class deviations below
  // the bulk (one unimodal bulk split in two gives about 3.5 at most). A tail
  // may be spread out (a crop lies farther from its original than a
  // re-encode): the split keeps more of it than a widest-gap rule would, and
  // the bulk's left edge (below) the rest.
  constexpr double kMinimumSeparation = 5.0;
  constexpr double kLargestTailFraction = 0.5;
  const Split split = best_split(logs);
  const double tail_fraction = static_cast<double>(split.split) / static_cast<double>(logs.size());
  if (split.split == 0 || split.separation < kMinimumSeparation || tail_fraction > kLargestTailFraction) {
    return {std::nullopt, fmt::format("no separate left tail in the nearest-neighbour distances (median {:.3g}); "
                                      "no near duplicates suggested",
                                      std::exp(median))};
  }
  // The split alone cuts a spread-out tail in two: crops lie farther from
  // their originals than re-encodes, and Otsu puts the farther ones with the
  // bulk. So the threshold goes up to where the bulk itself ends on the left,
  // when that lies higher.
  const double between_classes = std::exp((logs[split.split - 1] + logs[split.split]) / 2);
  // Extrapolating two to four deviations from quartiles needs a bulk of a few
  // hundred: a small profile's bulk (the tiny preset's 50) is lumpy, and its
  // edge would fall among distinct pictures.
  constexpr size_t kSmallestBulkWithAnEdge = 200;
  const bool bulk_is_large = logs.size() - split.split >= kSmallestBulkWithAnEdge;
  const double bulk_edge = bulk_is_large ? std::exp(bulk_left_edge(logs, split.split)) : 0.0;
  const double threshold = std::max(between_classes, bulk_edge);
  const auto below =
      static_cast<size_t>(std::lower_bound(logs.begin(), logs.end(), std::log(threshold)) - logs.begin());
  const std::string edge = bulk_is_large ? fmt::format(", the bulk starts at {:.4g}", bulk_edge) : std::string();
  return {threshold, fmt::format("suggested threshold {:.4g}: it cuts the left tail of {} media off the bulk of "
                                 "nearest-neighbour distances (median {:.4g}; the tail ends at {:.4g}{})",
                                 threshold, below, std::exp(median), between_classes, edge)};
}

}  // namespace popsweep::features
