#include "worker/train/aggregation.h"

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "common/error.h"

namespace popsweep::train {
namespace {

// The folds of one repeat, concatenated in fold order.
struct PooledRun {
  std::set<int> folds;
  std::vector<int> true_classes;
  ClassProbabilities probabilities;
  std::vector<int> majority_predictions;
  bool majority_known = true;
};

RunScore score_run(int repeat, const PooledRun& pooled, int top_k) {
  RunScore score;
  score.repeat = repeat;
  score.folds = static_cast<int>(pooled.folds.size());
  score.items = static_cast<int>(pooled.true_classes.size());
  const std::vector<int> predicted = predicted_classes(pooled.probabilities);
  score.accuracy = accuracy(pooled.true_classes, predicted);
  if (pooled.probabilities.classes > top_k) {
    score.top_k_accuracy = top_k_accuracy(pooled.true_classes, pooled.probabilities, top_k);
  }
  if (pooled.majority_known) score.majority_baseline = accuracy(pooled.true_classes, pooled.majority_predictions);
  score.confusion = confusion_matrix(pooled.true_classes, predicted, pooled.probabilities.classes);
  return score;
}

}  // namespace

MeanAndStd mean_and_population_std(const std::vector<double>& values) {
  if (values.empty()) throw Error("mean and std of no values");
  double sum = 0;
  for (const double v : values) sum += v;
  const double mean = sum / static_cast<double>(values.size());
  double squares = 0;
  for (const double v : values) squares += (v - mean) * (v - mean);
  return {mean, std::sqrt(squares / static_cast<double>(values.size()))};
}

ExperimentScore aggregate_runs(const std::vector<JobPredictions>& jobs, int top_k) {
  if (jobs.empty()) throw Error("aggregate: no jobs");
  const int classes = jobs.front().probabilities.classes;
  // Jobs may arrive in any order; pool them by repeat and, inside a repeat,
  // by fold, so the result does not depend on the order of the input.
  std::map<std::pair<int, int>, const JobPredictions*> by_repeat_and_fold;
  for (const JobPredictions& job : jobs) {
    const std::string where = "aggregate: repeat " + std::to_string(job.repeat) + " fold " + std::to_string(job.fold);
    if (job.probabilities.classes != classes) throw Error(where + " has a different number of classes");
    if (job.probabilities.items() != job.true_classes.size()) throw Error(where + ": probabilities and truth differ in size");
    if (!by_repeat_and_fold.emplace(std::make_pair(job.repeat, job.fold), &job).second) throw Error(where + " appears twice");
  }
  std::map<int, PooledRun> runs;
  for (const auto& [key, job] : by_repeat_and_fold) {
    PooledRun& run = runs[key.first];
    run.folds.insert(key.second);
    run.probabilities.classes = classes;
    run.true_classes.insert(run.true_classes.end(), job->true_classes.begin(), job->true_classes.end());
    run.probabilities.values.insert(run.probabilities.values.end(), job->probabilities.values.begin(),
                                    job->probabilities.values.end());
    run.majority_known = run.majority_known && job->training_majority_class >= 0;
    run.majority_predictions.insert(run.majority_predictions.end(), job->true_classes.size(),
                                    job->training_majority_class);
  }

  ExperimentScore result;
  result.classes = classes;
  result.top_k = top_k;
  std::vector<double> accuracies, top_k_accuracies, baselines;
  std::vector<std::vector<double>> confusions;
  bool all_baselines = true;
  for (const auto& [repeat, pooled] : runs) {
    result.runs.push_back(score_run(repeat, pooled, top_k));
    const RunScore& run = result.runs.back();
    accuracies.push_back(run.accuracy);
    if (run.top_k_accuracy) top_k_accuracies.push_back(*run.top_k_accuracy);
    all_baselines = all_baselines && run.majority_baseline.has_value();
    if (run.majority_baseline) baselines.push_back(*run.majority_baseline);
    confusions.push_back(run.confusion.row_normalised());
  }
  result.accuracy = mean_and_population_std(accuracies);
  if (!top_k_accuracies.empty()) result.top_k_accuracy = mean_and_population_std(top_k_accuracies);
  if (all_baselines) result.majority_baseline = mean_and_population_std(baselines);
  for (std::size_t cell = 0; cell < static_cast<std::size_t>(classes * classes); ++cell) {
    std::vector<double> values;
    for (const std::vector<double>& matrix : confusions) values.push_back(matrix[cell]);
    result.confusion.push_back(mean_and_population_std(values));
  }
  return result;
}

}  // namespace popsweep::train
