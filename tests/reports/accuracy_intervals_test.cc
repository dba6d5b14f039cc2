// Bootstrap intervals over posts and the permutation p-value against chance
// (issue 22), on planted truth: groups of out-of-fold predictions built the
// way a sweep stores them (3 repeats x 5 folds over the items of 150 posts of
// 1-3 media each, a post's media sharing its class), with
//   - no signal: predictions drawn independently of the labels, as a model
//     that can learn nothing makes them (its fold's training majority 70% of
//     the time, else a uniform guess), so the true accuracy is about the
//     majority baseline; 95% intervals must cover the pooled majority
//     baseline at least 18 times in 20 and at most 2 p-values fall under
//     0.05 (folds stratified by class, as the sweep's);
//   - signal: each prediction right with probability 0.75 (K = 2); the
//     intervals must exclude the majority baseline and p must be small.
#include "reports/accuracy_intervals.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>

#include "reports/sweep_results.h"

namespace popsweep::reports {
namespace {

constexpr int kPosts = 150;
constexpr int kRepeats = 3;
constexpr int kFolds = 5;

train::JobPredictions predictions_of(int repeat, int fold, int classes, int majority) {
  train::JobPredictions job;
  job.repeat = repeat;
  job.fold = fold;
  job.training_majority_class = majority;
  job.probabilities.classes = classes;
  return job;
}

// One group of planted predictions. `right_probability` < 0: no signal (a
// uniformly random class); else the true class with that probability.
std::vector<TrainedJob> planted_group(std::uint64_t seed, int classes, double right_probability) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<int> item_post, item_class;
  for (int post = 0; post < kPosts; ++post) {
    const int label = static_cast<int>(rng() % static_cast<std::uint64_t>(classes));
    for (int m = 0, media = 1 + static_cast<int>(rng() % 3); m < media; ++m) {
      item_post.push_back(post);
      item_class.push_back(label);
    }
  }
  std::vector<TrainedJob> jobs;
  for (int repeat = 0; repeat < kRepeats; ++repeat) {
    // Stratified folds, like the sweep's: each class dealt round the folds
    // in a shuffled order.
    std::vector<std::size_t> order(item_post.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::shuffle(order.begin(), order.end(), rng);
    std::vector<int> fold_of(item_post.size());
    std::vector<int> dealt(static_cast<std::size_t>(classes));
    for (const std::size_t i : order) fold_of[i] = dealt[static_cast<std::size_t>(item_class[i])]++ % kFolds;
    for (int fold = 0; fold < kFolds; ++fold) {
      TrainedJob job;
      job.result.job_id = repeat * kFolds + fold;
      job.result.repeat = repeat;
      job.result.fold = fold;
      job.result.classes = classes;
      std::vector<int> training_counts(static_cast<std::size_t>(classes));
      for (std::size_t i = 0; i < item_post.size(); ++i) {
        if (fold_of[i] != fold) ++training_counts[static_cast<std::size_t>(item_class[i])];
      }
      const int majority = static_cast<int>(std::max_element(training_counts.begin(), training_counts.end()) -
                                            training_counts.begin());
      job.best = predictions_of(repeat, fold, classes, majority);
      for (std::size_t i = 0; i < item_post.size(); ++i) {
        if (fold_of[i] != fold) continue;
        job.predicted_media.push_back(static_cast<std::int64_t>(i));
        job.predicted_posts.push_back(item_post[i]);
        job.best.true_classes.push_back(item_class[i]);
        // No signal: what a model that can learn nothing does, the training
        // majority most of the time and otherwise a guess, blind to the item.
        int predicted =
            unit(rng) < 0.7 ? majority : static_cast<int>(rng() % static_cast<std::uint64_t>(classes));
        if (right_probability >= 0) {
          predicted = unit(rng) < right_probability ? item_class[i] : (item_class[i] + 1) % classes;
        }
        for (int c = 0; c < classes; ++c)
          job.best.probabilities.values.push_back(c == predicted ? 0.6 : 0.4 / (classes - 1));
      }
      job.last = job.best;
      jobs.push_back(std::move(job));
    }
  }
  return jobs;
}

double pooled_majority_baseline(const std::vector<TrainedJob>& jobs) {
  std::vector<train::JobPredictions> predictions;
  for (const TrainedJob& job : jobs) predictions.push_back(job.best);
  return train::aggregate_runs(predictions).majority_baseline->mean;
}

TEST(AccuracyIntervalsTest, NoSignalIntervalsCoverChanceAndFewPValuesAreSmall) {
  for (const int classes : {2, 3}) {
    int covered_chance = 0, covered_baseline = 0, small_p = 0;
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
      const std::vector<TrainedJob> jobs = planted_group(seed, classes, -1);
      const GroupUncertainty u = estimate_uncertainty(jobs, 1000, 500, seed);
      covered_chance += u.accuracy_last.contains(1.0 / classes);
      covered_baseline += u.accuracy_last.contains(pooled_majority_baseline(jobs));
      small_p += u.p_value_last < 0.05;
    }
    std::printf(
        "no signal, K=%d: 95%% intervals cover chance (%.3f) in %d/20 and the majority baseline in %d/20; "
        "%d/20 p-values < 0.05\n",
        classes, 1.0 / classes, covered_chance, covered_baseline, small_p);
    EXPECT_GE(covered_baseline, 18) << classes << " classes";
    EXPECT_LE(small_p, 2) << classes << " classes";
  }
}

TEST(AccuracyIntervalsTest, SignalIntervalsExcludeTheMajorityBaseline) {
  int excluded = 0, small_p = 0;
  double width = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const std::vector<TrainedJob> jobs = planted_group(seed, 2, 0.75);
    const GroupUncertainty u = estimate_uncertainty(jobs, 1000, 500, seed);
    excluded += !u.accuracy_last.contains(pooled_majority_baseline(jobs));
    small_p += u.p_value_last < 0.05;
    width += (u.accuracy_last.high - u.accuracy_last.low) / 20;
  }
  std::printf(
      "signal (75%% right, K=2): intervals exclude the majority baseline in %d/20, mean width %.3f; "
      "%d/20 p-values < 0.05\n",
      excluded, width, small_p);
  EXPECT_EQ(excluded, 20);
  EXPECT_EQ(small_p, 20);
}

TEST(AccuracyIntervalsTest, SameSeedSameNumbersAndPerfectPredictionsHaveAPointInterval) {
  std::vector<TrainedJob> jobs = planted_group(7, 3, -1);
  const GroupUncertainty a = estimate_uncertainty(jobs, 200, 100, 5),
                         b = estimate_uncertainty(jobs, 200, 100, 5);
  EXPECT_EQ(a.accuracy_best.low, b.accuracy_best.low);
  EXPECT_EQ(a.accuracy_best.high, b.accuracy_best.high);
  EXPECT_EQ(a.p_value_last, b.p_value_last);
  EXPECT_EQ(a.posts, kPosts);
  ASSERT_TRUE(a.top2_best && a.majority_baseline);

  jobs = planted_group(7, 2, 1.0);  // every prediction right
  const GroupUncertainty perfect = estimate_uncertainty(jobs, 200, 100, 5);
  EXPECT_EQ(perfect.accuracy_last.low, 1.0);
  EXPECT_EQ(perfect.accuracy_last.high, 1.0);
  EXPECT_FALSE(perfect.top2_best);  // K = 2 has no top-2
  // No shuffle of 150 posts' labels in 5 folds keeps every item right.
  EXPECT_NEAR(perfect.p_value_last, 1.0 / 101, 1e-12);
}

// 1000 draws up to a million predictions, then a budget of 10^9 additions,
// never under 100; a request overrides, and 0 computes nothing.
TEST(AccuracyIntervalsTest, DrawsShrinkOnlyOnHugeSweeps) {
  EXPECT_EQ(uncertainty_draws(0), 1000);
  EXPECT_EQ(uncertainty_draws(1'000'000), 1000);
  EXPECT_EQ(uncertainty_draws(2'000'000), 500);
  EXPECT_EQ(uncertainty_draws(10'050'000), 100);  // issue 24's 100,000-job sweep
  EXPECT_EQ(uncertainty_draws(100'000'000), 100);
  EXPECT_EQ(uncertainty_draws(10'050'000, 1000), 1000);
  EXPECT_EQ(uncertainty_draws(500, 0), 0);
  const GroupUncertainty none = estimate_uncertainty(planted_group(7, 3, -1), 0, 0);
  EXPECT_EQ(none.resamples, 0);
}

TEST(AccuracyIntervalsTest, QuantileIsNumpysLinearOne) {
  // numpy.quantile([1, 2, 4, 8], [0.025, 0.5, 0.975]) = [1.075, 3.0, 7.7]
  const std::vector<double> sorted{1, 2, 4, 8};
  EXPECT_NEAR(sorted_quantile(sorted, 0.025), 1.075, 1e-12);
  EXPECT_NEAR(sorted_quantile(sorted, 0.5), 3.0, 1e-12);
  EXPECT_NEAR(sorted_quantile(sorted, 0.975), 7.7, 1e-12);
}

}  // namespace
}  // namespace popsweep::reports
