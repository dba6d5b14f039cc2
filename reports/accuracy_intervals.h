// How sure an accuracy is, not only how much the fold draw moves it (the
// ± std of M19). Two statistics of a group's pooled out-of-fold predictions:
//
//  - a 95% percentile bootstrap interval of each accuracy cell: posts are
//    drawn with replacement (a post's media come along together, since they
//    share one popularity), every repeat is scored on the same draw, and the
//    cell's statistic (the mean over repeats of the pooled accuracy) is
//    recomputed. It answers "what would this number be on another profile's
//    worth of posts like these", which the std over repeats does not.
//  - a permutation p-value against chance: the true classes are shuffled
//    within each validation fold of each repeat (the split's strata, so
//    every fold keeps its class counts and the majority baseline does not
//    move), the fixed predictions rescored, and p = (1 + #{shuffled >=
//    observed}) / (1 + permutations).
//
// The p-value uses the last-epoch predictions. The best epoch was chosen on
// the very labels it is scored on, and shuffling stored predictions cannot
// re-run that choice, so a best-epoch p-value would be too small; best-epoch
// intervals are given but labelled selection-biased wherever they appear.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace popsweep::reports {

struct TrainedJob;

constexpr int kBootstrapResamples = 1000;
constexpr int kPermutations = 1000;
constexpr std::uint64_t kUncertaintySeed = 22;
constexpr double kIntervalLevel = 0.95;

struct Interval {
  double low = 0;
  double high = 0;
  bool contains(double value) const { return low <= value && value <= high; }
};

struct GroupUncertainty {
  int posts = 0;  // distinct posts among the validated items
  int resamples = 0;
  int permutations = 0;
  std::uint64_t seed = 0;
  Interval accuracy_best;
  Interval accuracy_last;
  std::optional<Interval> top2_best;  // where K > 2
  std::optional<Interval> top2_last;
  std::optional<Interval> majority_baseline;  // where every job knows its training majority
  double p_value_last = 1;                    // permutation test of the last-epoch accuracy
};

// The jobs of one group (one experiment, K and sweep point); each job's
// predicted_posts names the post of every validated item.
GroupUncertainty estimate_uncertainty(const std::vector<TrainedJob>& jobs,
                                      int resamples = kBootstrapResamples, int permutations = kPermutations,
                                      std::uint64_t seed = kUncertaintySeed);

// Bootstrap resamples (and as many permutations) per group for a sweep whose
// groups hold `predictions` validated predictions in all: kBootstrapResamples
// up to a million predictions, then fewer, never under 100, so a report of a
// 100,000-job sweep (10 million predictions) stays within minutes rather than
// a quarter of an hour. `requested` >= 0 is the user's choice (0: none).
int uncertainty_draws(std::int64_t predictions, int requested = -1);

// The numpy-default (linear) quantile of sorted values, q in [0, 1].
double sorted_quantile(const std::vector<double>& sorted, double q);

}  // namespace popsweep::reports
