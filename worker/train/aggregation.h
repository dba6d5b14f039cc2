// M19's result of an experiment: a run (one repeat) is scored on the pooled
// validation predictions of its folds, and the experiment reports the mean
// and the standard deviation of the run scores (between runs, not between
// folds). The standard deviation is the population one (ddof = 0, numpy's
// default), so three runs of 0.70, 0.72, 0.74 report 0.72 +- 0.0163.
//
// Reports call aggregate_runs twice per experiment: with the best-epoch
// probabilities (the paper's optimistic selection on the validation fold)
// and with the last-epoch ones.
#pragma once

#include <optional>
#include <vector>

#include "worker/train/metrics.h"

namespace popsweep::train {

// The validation outcome of one job.
struct JobPredictions {
  int repeat = 0;
  int fold = 0;
  std::vector<int> true_classes;
  ClassProbabilities probabilities;
  // The majority class of the job's training labels (TrainOutcome records
  // it); -1 when unknown, which leaves the baseline out of the aggregate.
  int training_majority_class = -1;
};

struct MeanAndStd {
  double mean = 0;
  double std = 0;  // population (ddof = 0)
};
MeanAndStd mean_and_population_std(const std::vector<double>& values);

// One repeat's pooled score.
struct RunScore {
  int repeat = 0;
  int folds = 0;  // how many folds were pooled; fewer than planned means jobs are missing
  int items = 0;
  double accuracy = 0;
  std::optional<double> top_k_accuracy;     // only when classes > top_k
  std::optional<double> majority_baseline;  // pooled: each fold predicts its own training majority
  ConfusionMatrix confusion;
};

struct ExperimentScore {
  int classes = 0;
  int top_k = 0;
  std::vector<RunScore> runs;  // by increasing repeat
  MeanAndStd accuracy;
  std::optional<MeanAndStd> top_k_accuracy;
  std::optional<MeanAndStd> majority_baseline;  // only when every job knows its majority class
  // Row-normalised confusion matrices, element-wise over runs, row-major.
  std::vector<MeanAndStd> confusion;
};

// Throws when jobs disagree on the number of classes or a (repeat, fold) pair
// appears twice.
ExperimentScore aggregate_runs(const std::vector<JobPredictions>& jobs, int top_k = 2);

}  // namespace popsweep::train
