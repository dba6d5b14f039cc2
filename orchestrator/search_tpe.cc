#include "orchestrator/search_tpe.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace popsweep::orchestrator {
namespace {

// One side's Parzen density on [0, 1] for one dimension: a uniform prior and a
// Gaussian kernel on each point, all weighted alike. The bandwidth follows
// Scott's rule, kept within [0.05, 0.5] so one point neither pins the search
// nor spreads over the whole range.
class ParzenDensity {
 public:
  explicit ParzenDensity(std::vector<double> centres) : centres_(std::move(centres)) {
    const double n = static_cast<double>(centres_.size());
    double mean = 0, squares = 0;
    for (const double c : centres_) mean += c / n;
    for (const double c : centres_) squares += (c - mean) * (c - mean) / n;
    bandwidth_ = std::clamp(1.06 * std::sqrt(squares) * std::pow(n, -0.2), 0.05, 0.5);
  }

  double density(double x) const {
    double sum = 1.0;  // the uniform prior
    for (const double c : centres_) {
      const double z = (x - c) / bandwidth_;
      sum += std::exp(-0.5 * z * z) / (bandwidth_ * std::sqrt(2 * M_PI));
    }
    return sum / static_cast<double>(centres_.size() + 1);
  }

  // Draws from the mixture with two uniforms: which component, then where.
  double sample(double pick, double u1, double u2) const {
    const auto component = static_cast<size_t>(pick * static_cast<double>(centres_.size() + 1));
    if (component >= centres_.size()) return u2;  // the prior
    const double normal = std::sqrt(-2 * std::log(1 - u1)) * std::cos(2 * M_PI * u2);
    double x = centres_[component] + bandwidth_ * normal;
    // Reflect into [0, 1): keeps the kernel's mass inside the range.
    x = std::fmod(std::abs(x), 2.0);
    if (x >= 1) x = 2 - x;
    return std::min(x, std::nextafter(1.0, 0.0));
  }

 private:
  std::vector<double> centres_;
  double bandwidth_ = 0.1;
};

}  // namespace

std::optional<std::vector<double>> propose_tpe_point(const std::vector<SearchDimension>& space,
                                                     const std::vector<SpecValues>& earlier, int history_end,
                                                     const TrialScoreLookup& score_of, std::int64_t seed,
                                                     std::uint64_t trial) {
  std::vector<double> scores;
  for (int i = 0; i < history_end; ++i) {
    const std::optional<double> score = score_of ? score_of(earlier[i]) : std::nullopt;
    if (!score) return std::nullopt;
    scores.push_back(*score);
  }
  // Best first; ties keep trial order, so the split is the same on every run.
  std::vector<int> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return scores[a] > scores[b]; });
  const auto good_count = static_cast<size_t>(std::max(1.0, std::ceil(kTpeGoodFraction * scores.size())));

  std::vector<ParzenDensity> good, rest;
  for (const SearchDimension& dimension : space) {
    std::vector<double> good_points, rest_points;
    for (size_t rank = 0; rank < order.size(); ++rank) {
      const double u = unit_coordinate(dimension, earlier[order[rank]].at(dimension.path));
      (rank < good_count ? good_points : rest_points).push_back(u);
    }
    good.emplace_back(std::move(good_points));
    rest.emplace_back(std::move(rest_points));
  }
  std::vector<double> best;
  double best_ratio = -INFINITY;
  for (int candidate = 0; candidate < kTpeCandidates; ++candidate) {
    std::vector<double> point(space.size());
    double log_ratio = 0;
    for (size_t d = 0; d < space.size(); ++d) {
      const std::uint64_t draw = (static_cast<std::uint64_t>(candidate) * space.size() + d) * 3;
      point[d] =
          good[d].sample(counter_uniform(seed, trial, draw, 1), counter_uniform(seed, trial, draw + 1, 1),
                         counter_uniform(seed, trial, draw + 2, 1));
      log_ratio += std::log(good[d].density(point[d])) - std::log(rest[d].density(point[d]));
    }
    if (log_ratio > best_ratio) best_ratio = log_ratio, best = std::move(point);
  }
  return best;
}

}  // namespace popsweep::orchestrator
