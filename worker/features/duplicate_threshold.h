// M7: suggesting the near-duplicate threshold from the histogram of every
// image's nearest-neighbour distance. Distinct pictures form the bulk of
// that histogram; near duplicates (re-encoded, rescaled, cropped reposts)
// form a separate left tail close to zero. On a log scale, the suggestion
// splits the two with Otsu's method, and only when the split is a real tail
// (the smaller class, well separated from the bulk).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace popsweep::features {

struct HistogramBin {
  double from = 0;
  double to = 0;
  int count = 0;
};

std::vector<HistogramBin> distance_histogram(const std::vector<double>& distances, int bins = 50);

struct ThresholdSuggestion {
  std::optional<double> threshold;  // nullopt: no separate left tail, so no duplicates
  std::string explanation;
};

ThresholdSuggestion suggest_threshold(const std::vector<double>& nearest_distances);

}  // namespace popsweep::features
