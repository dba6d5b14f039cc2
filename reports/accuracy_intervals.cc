#include "reports/accuracy_intervals.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <random>
#include <utility>

#include "common/error.h"
#include "reports/sweep_results.h"

namespace popsweep::reports {
namespace {

enum Metric { kAccuracyBest, kAccuracyLast, kTop2Best, kTop2Last, kMajority, kMetricCount };

// One repeat's validated items counted per post: how many, and how many each
// metric got right. A bootstrap draw then costs one pass over the posts.
struct RepeatTallies {
  std::vector<double> items;
  std::array<std::vector<double>, kMetricCount> right;
};

bool in_top_two(const train::ClassProbabilities& probabilities, std::size_t item, int truth) {
  const double mine = probabilities.at(item, truth);
  int ranked_above = 0;
  for (int c = 0; c < probabilities.classes; ++c) {
    const double other = probabilities.at(item, c);
    ranked_above += other > mine || (other == mine && c > truth);  // train::top_k_accuracy's tie rule
  }
  return ranked_above < 2;
}

int argmax(const train::ClassProbabilities& probabilities, std::size_t item) {
  int best = 0;
  for (int c = 1; c < probabilities.classes; ++c) {
    if (probabilities.at(item, c) > probabilities.at(item, best)) best = c;
  }
  return best;
}

// rng() % n: the bias is below n / 2^64, and unlike std::uniform_int_distribution
// it draws the same numbers under every standard library.
std::size_t draw_below(std::mt19937_64& rng, std::size_t n) { return static_cast<std::size_t>(rng() % n); }

double mean_ratio(const std::vector<RepeatTallies>& repeats, Metric metric,
                  const std::vector<double>& weights) {
  double sum = 0;
  int counted = 0;
  for (const RepeatTallies& repeat : repeats) {
    double right = 0, items = 0;
    for (std::size_t post = 0; post < weights.size(); ++post) {
      if (weights[post] == 0) continue;
      right += weights[post] * repeat.right[metric][post];
      items += weights[post] * repeat.items[post];
    }
    if (items > 0) sum += right / items, ++counted;
  }
  return counted ? sum / counted : std::nan("");
}

Interval percentile_interval(std::vector<double> values) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double v) { return std::isnan(v); }),
               values.end());
  if (values.empty()) return {std::nan(""), std::nan("")};
  std::sort(values.begin(), values.end());
  const double tail = (1 - kIntervalLevel) / 2;
  return {sorted_quantile(values, tail), sorted_quantile(values, 1 - tail)};
}

// The validation folds of the group: (repeat, fold) -> true classes and
// last-epoch predictions, the strata the permutation shuffles within.
struct Stratum {
  int repeat = 0;
  std::vector<int> truth;
  std::vector<int> predicted;
};

double mean_accuracy_over_repeats(const std::vector<Stratum>& strata) {
  std::map<int, std::pair<double, double>> by_repeat;  // right, items
  for (const Stratum& stratum : strata) {
    auto& [right, items] = by_repeat[stratum.repeat];
    for (std::size_t i = 0; i < stratum.truth.size(); ++i) right += stratum.truth[i] == stratum.predicted[i];
    items += static_cast<double>(stratum.truth.size());
  }
  double sum = 0;
  for (const auto& entry : by_repeat) sum += entry.second.first / entry.second.second;
  return sum / static_cast<double>(by_repeat.size());
}

double permutation_p_value(std::vector<Stratum> strata, int permutations, std::mt19937_64& rng) {
  const double observed = mean_accuracy_over_repeats(strata);
  int at_least = 0;
  for (int p = 0; p < permutations; ++p) {
    for (Stratum& stratum : strata) {
      for (std::size_t i = stratum.truth.size(); i > 1; --i)
        std::swap(stratum.truth[i - 1], stratum.truth[draw_below(rng, i)]);
    }
    // Accuracies are fractions of the same item counts: compare with a
    // rounding margin so an equal score counts as equal.
    at_least += mean_accuracy_over_repeats(strata) >= observed - 1e-12;
  }
  return (1.0 + at_least) / (1.0 + permutations);
}

}  // namespace

double sorted_quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) throw Error("quantile of no values");
  const double position = q * static_cast<double>(sorted.size() - 1);
  const std::size_t below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  return sorted[below] + (position - static_cast<double>(below)) * (sorted[above] - sorted[below]);
}

GroupUncertainty estimate_uncertainty(const std::vector<TrainedJob>& jobs, int resamples, int permutations,
                                      std::uint64_t seed) {
  GroupUncertainty result;
  result.resamples = resamples;
  result.permutations = permutations;
  result.seed = seed;
  if (jobs.empty()) return result;
  std::map<std::int64_t, int> dense_post;
  for (const TrainedJob& job : jobs) {
    if (job.predicted_posts.size() != job.predicted_media.size()) {
      throw Error("job " + std::to_string(job.result.job_id) + ": no post for some validated items");
    }
    for (const std::int64_t post : job.predicted_posts)
      dense_post.emplace(post, static_cast<int>(dense_post.size()));
  }
  const std::size_t posts = dense_post.size();
  result.posts = static_cast<int>(posts);
  const int classes = jobs.front().best.probabilities.classes;
  bool majority_known = true;
  std::map<int, RepeatTallies> by_repeat;
  std::vector<Stratum> strata;
  for (const TrainedJob& job : jobs) {
    RepeatTallies& tallies = by_repeat[job.result.repeat];
    if (tallies.items.empty()) {
      tallies.items.assign(posts, 0);
      for (auto& right : tallies.right) right.assign(posts, 0);
    }
    majority_known = majority_known && job.best.training_majority_class >= 0;
    Stratum stratum;
    stratum.repeat = job.result.repeat;
    for (std::size_t i = 0; i < job.predicted_media.size(); ++i) {
      const std::size_t post = static_cast<std::size_t>(dense_post.at(job.predicted_posts[i]));
      const int truth = job.best.true_classes[i];
      const int last = argmax(job.last.probabilities, i);
      tallies.items[post] += 1;
      tallies.right[kAccuracyBest][post] += argmax(job.best.probabilities, i) == truth;
      tallies.right[kAccuracyLast][post] += last == truth;
      if (classes > 2) {
        tallies.right[kTop2Best][post] += in_top_two(job.best.probabilities, i, truth);
        tallies.right[kTop2Last][post] += in_top_two(job.last.probabilities, i, truth);
      }
      tallies.right[kMajority][post] += job.best.training_majority_class == truth;
      stratum.truth.push_back(truth);
      stratum.predicted.push_back(last);
    }
    strata.push_back(std::move(stratum));
  }
  std::vector<RepeatTallies> repeats;
  for (auto& entry : by_repeat) repeats.push_back(std::move(entry.second));

  std::mt19937_64 rng(seed);
  std::array<std::vector<double>, kMetricCount> draws;
  std::vector<double> weights(posts);
  for (int b = 0; b < resamples; ++b) {
    std::fill(weights.begin(), weights.end(), 0.0);
    for (std::size_t p = 0; p < posts; ++p) weights[draw_below(rng, posts)] += 1;
    for (int metric = 0; metric < kMetricCount; ++metric) {
      draws[metric].push_back(mean_ratio(repeats, static_cast<Metric>(metric), weights));
    }
  }
  result.accuracy_best = percentile_interval(draws[kAccuracyBest]);
  result.accuracy_last = percentile_interval(draws[kAccuracyLast]);
  if (classes > 2) {
    result.top2_best = percentile_interval(draws[kTop2Best]);
    result.top2_last = percentile_interval(draws[kTop2Last]);
  }
  if (majority_known) result.majority_baseline = percentile_interval(draws[kMajority]);
  result.p_value_last = permutation_p_value(std::move(strata), permutations, rng);
  return result;
}

}  // namespace popsweep::reports
