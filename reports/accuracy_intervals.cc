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

// Every (repeat, metric) tally of a post side by side, so that a bootstrap
// draw is one pass over the drawn posts adding short contiguous rows (the
// report of a 100,000-job sweep draws 10 million predictions a thousand
// times). Sums run over posts in ascending order, as a loop per metric would.
struct TallyRows {
  std::size_t width = 0;  // repeats x (1 + metrics)
  std::vector<double> values;  // posts x width: per repeat, items then each metric's right count
};

TallyRows tally_rows(const std::vector<RepeatTallies>& repeats, std::size_t posts) {
  TallyRows rows;
  rows.width = repeats.size() * (1 + kMetricCount);
  rows.values.assign(posts * rows.width, 0.0);
  for (std::size_t post = 0; post < posts; ++post) {
    double* row = &rows.values[post * rows.width];
    for (const RepeatTallies& repeat : repeats) {
      *row++ = repeat.items[post];
      for (int metric = 0; metric < kMetricCount; ++metric) *row++ = repeat.right[metric][post];
    }
  }
  return rows;
}

// The cell statistic of every metric under one draw: the mean over repeats
// of right / items, with the posts weighted by how often they were drawn.
std::array<double, kMetricCount> mean_ratios(const TallyRows& rows, std::size_t repeats,
                                             const std::vector<double>& weights, std::vector<double>& sums) {
  std::fill(sums.begin(), sums.end(), 0.0);
  for (std::size_t post = 0; post < weights.size(); ++post) {
    const double weight = weights[post];
    if (weight == 0) continue;
    const double* row = &rows.values[post * rows.width];
    for (std::size_t k = 0; k < rows.width; ++k) sums[k] += weight * row[k];
  }
  std::array<double, kMetricCount> means{};
  for (int metric = 0; metric < kMetricCount; ++metric) {
    double sum = 0;
    int counted = 0;
    for (std::size_t r = 0; r < repeats; ++r) {
      const double items = sums[r * (1 + kMetricCount)];
      if (items > 0) sum += sums[r * (1 + kMetricCount) + 1 + metric] / items, ++counted;
    }
    means[metric] = counted ? sum / counted : std::nan("");
  }
  return means;
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

int uncertainty_draws(std::int64_t predictions, int requested) {
  if (requested >= 0) return requested;
  constexpr double kAdditionsBudget = 1e9;  // draws x predictions
  if (predictions <= 0 || kAdditionsBudget / static_cast<double>(predictions) >= kBootstrapResamples)
    return kBootstrapResamples;
  return std::max(100, static_cast<int>(kAdditionsBudget / static_cast<double>(predictions)));
}

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
  if (jobs.empty() || resamples <= 0) return result;  // resamples 0: the tables show no interval
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
  const TallyRows rows = tally_rows(repeats, posts);
  std::vector<double> weights(posts), sums(rows.width);
  for (int b = 0; b < resamples; ++b) {
    std::fill(weights.begin(), weights.end(), 0.0);
    for (std::size_t p = 0; p < posts; ++p) weights[draw_below(rng, posts)] += 1;
    const std::array<double, kMetricCount> means = mean_ratios(rows, repeats.size(), weights, sums);
    for (int metric = 0; metric < kMetricCount; ++metric) draws[metric].push_back(means[metric]);
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
