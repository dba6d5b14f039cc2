// M19's aggregation: runs pooled over folds, mean and population std over
// runs, checked against values worked out by hand.
#include "worker/train/aggregation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace popsweep::train {
namespace {

// Two classes; p is the probability of class 1.
JobPredictions binary_job(int repeat, int fold, std::vector<int> truth, const std::vector<double>& p, int majority) {
  JobPredictions job;
  job.repeat = repeat;
  job.fold = fold;
  job.true_classes = std::move(truth);
  job.probabilities.classes = 2;
  for (const double value : p) job.probabilities.values.insert(job.probabilities.values.end(), {1 - value, value});
  job.training_majority_class = majority;
  return job;
}

std::vector<JobPredictions> two_runs() {
  return {
      // Repeat 0: fold 0 gets 2 of 3 right, fold 1 gets 1 of 1: pooled 3/4.
      binary_job(0, 0, {0, 1, 1}, {0.2, 0.9, 0.4}, 0),
      binary_job(0, 1, {0}, {0.1}, 1),
      // Repeat 1: fold 0 gets 1 of 2, fold 1 gets 0 of 2: pooled 1/4.
      binary_job(1, 0, {1, 0}, {0.8, 0.7}, 1),
      binary_job(1, 1, {0, 1}, {0.6, 0.3}, 1),
  };
}

TEST(MetricAggregation, PoolsFoldsThenTakesMeanAndPopulationStdOverRuns) {
  const ExperimentScore score = aggregate_runs(two_runs());
  ASSERT_EQ(score.runs.size(), 2u);
  EXPECT_DOUBLE_EQ(score.runs[0].accuracy, 0.75);
  EXPECT_DOUBLE_EQ(score.runs[1].accuracy, 0.25);
  EXPECT_EQ(score.runs[0].folds, 2);
  EXPECT_EQ(score.runs[0].items, 4);
  EXPECT_DOUBLE_EQ(score.accuracy.mean, 0.5);
  EXPECT_DOUBLE_EQ(score.accuracy.std, 0.25);  // population: sqrt(((0.25)^2 + (0.25)^2) / 2)
  EXPECT_FALSE(score.top_k_accuracy.has_value());  // two classes: no top-2
}

TEST(MetricAggregation, PooledMajorityBaselineUsesEachFoldsOwnMajority) {
  const ExperimentScore score = aggregate_runs(two_runs());
  // Repeat 0: fold 0 predicts 0 (1 of 3 right), fold 1 predicts 1 (0 of 1): 1/4.
  // Repeat 1: every fold predicts 1: truths 1,0,0,1: 2/4.
  EXPECT_DOUBLE_EQ(*score.runs[0].majority_baseline, 0.25);
  EXPECT_DOUBLE_EQ(*score.runs[1].majority_baseline, 0.5);
  EXPECT_DOUBLE_EQ(score.majority_baseline->mean, 0.375);
  EXPECT_DOUBLE_EQ(score.majority_baseline->std, 0.125);
  std::vector<JobPredictions> unknown = two_runs();
  unknown[3].training_majority_class = -1;
  EXPECT_FALSE(aggregate_runs(unknown).majority_baseline.has_value());
}

TEST(MetricAggregation, ConfusionMatricesAreRowNormalisedPerRunThenAveraged) {
  const ExperimentScore score = aggregate_runs(two_runs());
  // Repeat 0: truth 0 -> predicted 0,0 (row 1, 0); truth 1 -> 1,0 (row 0.5, 0.5).
  // Repeat 1: truth 0 -> 1,1 (row 0, 1); truth 1 -> 1,0 (row 0.5, 0.5).
  ASSERT_EQ(score.confusion.size(), 4u);
  EXPECT_DOUBLE_EQ(score.confusion[0].mean, 0.5);
  EXPECT_DOUBLE_EQ(score.confusion[0].std, 0.5);
  EXPECT_DOUBLE_EQ(score.confusion[1].mean, 0.5);
  EXPECT_DOUBLE_EQ(score.confusion[2].mean, 0.5);
  EXPECT_DOUBLE_EQ(score.confusion[2].std, 0.0);
  EXPECT_EQ(score.runs[1].confusion.counts, (std::vector<std::int64_t>{0, 2, 1, 1}));
}

TEST(MetricAggregation, TopTwoForThreeClasses) {
  JobPredictions job;
  job.true_classes = {0, 1, 2};
  job.probabilities = {3, {0.5, 0.3, 0.2, 0.5, 0.3, 0.2, 0.5, 0.3, 0.2}};
  const ExperimentScore score = aggregate_runs({job});
  EXPECT_DOUBLE_EQ(score.accuracy.mean, 1.0 / 3);
  ASSERT_TRUE(score.top_k_accuracy.has_value());
  EXPECT_DOUBLE_EQ(score.top_k_accuracy->mean, 2.0 / 3);
  EXPECT_DOUBLE_EQ(score.top_k_accuracy->std, 0.0);
}

TEST(MetricAggregation, InputOrderDoesNotMatter) {
  std::vector<JobPredictions> jobs = two_runs();
  std::reverse(jobs.begin(), jobs.end());
  const ExperimentScore a = aggregate_runs(two_runs()), b = aggregate_runs(jobs);
  EXPECT_EQ(a.accuracy.mean, b.accuracy.mean);
  EXPECT_EQ(a.runs[1].confusion.counts, b.runs[1].confusion.counts);
}

TEST(MetricAggregation, PopulationStdMatchesNumpyDefault) {
  // numpy.std([0.70, 0.72, 0.74]) = 0.016329931618554536
  const MeanAndStd value = mean_and_population_std({0.70, 0.72, 0.74});
  EXPECT_NEAR(value.mean, 0.72, 1e-15);
  EXPECT_NEAR(value.std, 0.016329931618554536, 1e-15);
}

TEST(MetricAggregation, RejectsDuplicatesAndMixedClassCounts) {
  std::vector<JobPredictions> jobs = two_runs();
  jobs.push_back(jobs.front());
  EXPECT_THROW(aggregate_runs(jobs), Error);
  jobs = two_runs();
  jobs[1].probabilities = {3, {0.2, 0.3, 0.5}};
  EXPECT_THROW(aggregate_runs(jobs), Error);
  EXPECT_THROW(aggregate_runs({}), Error);
}

}  // namespace
}  // namespace popsweep::train
