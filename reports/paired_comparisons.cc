#include "reports/paired_comparisons.h"

#include <map>
#include <optional>
#include <set>
#include <utility>

namespace popsweep::reports {
namespace {

using SplitKey = std::pair<int, int>;  // (repeat, fold)
using SharedSplits = std::vector<std::pair<const TrainedJob*, const TrainedJob*>>;

std::map<SplitKey, const TrainedJob*> jobs_by_split(const ResultGroup& group) {
  std::map<SplitKey, const TrainedJob*> jobs;
  for (const TrainedJob& job : group.jobs) jobs[{job.result.repeat, job.result.fold}] = &job;
  return jobs;
}

// Whether the best-epoch prediction of each validated item was right, in
// the job's prediction order.
std::vector<bool> best_epoch_hits(const TrainedJob& job) {
  const std::vector<int> predicted = train::predicted_classes(job.best.probabilities);
  std::vector<bool> hits;
  for (std::size_t i = 0; i < predicted.size(); ++i) hits.push_back(predicted[i] == job.best.true_classes[i]);
  return hits;
}

double best_epoch_accuracy(const TrainedJob& job) {
  return train::accuracy(job.best.true_classes, train::predicted_classes(job.best.probabilities));
}

// The (repeat, fold) splits both groups ran with items, or nothing when the
// two groups did not validate the same items on every split they share. A
// missing job drops its split, not the whole pair.
std::optional<SharedSplits> shared_splits(const ResultGroup& first, const ResultGroup& second) {
  const std::map<SplitKey, const TrainedJob*> second_jobs = jobs_by_split(second);
  SharedSplits shared;
  for (const auto& [split, first_job] : jobs_by_split(first)) {
    const auto other = second_jobs.find(split);
    if (other == second_jobs.end()) continue;
    if (first_job->validation_media != other->second->validation_media) return std::nullopt;
    if (!first_job->validation_media.empty()) shared.push_back({first_job, other->second});
  }
  return shared;
}

// Random folds (media, post): the corrected resampled t-test over the
// per-split accuracy differences.
void add_t_test(const SharedSplits& splits, int folds, ExperimentComparison& comparison) {
  std::vector<double> differences;
  for (const auto& [first, second] : splits)
    differences.push_back(best_epoch_accuracy(*first) - best_epoch_accuracy(*second));
  comparison.t_test = corrected_resampled_t_test(differences, 1.0 / folds);
  comparison.mean_difference = comparison.t_test->mean_difference;
}

// Forward chaining (time): per item, the repeats the first experiment got
// right minus the second's, summed over the splits that validated it; the
// exact sign test over items on its sign. One repeat: McNemar's exact test.
void add_sign_test(const SharedSplits& splits, ExperimentComparison& comparison) {
  std::map<std::int64_t, int> margin;
  int predictions = 0, first_hits = 0, second_hits = 0;
  for (const auto& [first, second] : splits) {
    const std::vector<bool> first_right = best_epoch_hits(*first);
    std::map<std::int64_t, bool> second_right;
    const std::vector<bool> second_hits_in_order = best_epoch_hits(*second);
    for (std::size_t i = 0; i < second->predicted_media.size(); ++i)
      second_right[second->predicted_media[i]] = second_hits_in_order[i];
    for (std::size_t i = 0; i < first->predicted_media.size(); ++i) {
      const std::int64_t media = first->predicted_media[i];
      const bool other = second_right.at(media);
      margin[media] += static_cast<int>(first_right[i]) - static_cast<int>(other);
      first_hits += first_right[i];
      second_hits += other;
      ++predictions;
    }
  }
  int first_better = 0, second_better = 0, ties = 0;
  for (const auto& [media, difference] : margin) {
    (difference > 0 ? first_better : difference < 0 ? second_better : ties) += 1;
  }
  comparison.sign_test = exact_sign_test(first_better, second_better, ties);
  comparison.items = static_cast<int>(margin.size());
  comparison.mean_difference = static_cast<double>(first_hits - second_hits) / predictions;
}

}  // namespace

std::optional<ExperimentComparison> compare_groups(const ResultGroup& first, const ResultGroup& second) {
  const bool forward_chaining = first.split == "time";
  if (!forward_chaining && first.folds < 2) return std::nullopt;
  const std::optional<SharedSplits> splits = shared_splits(first, second);
  // The t-test needs two splits for a variance; the sign test one split.
  if (!splits || splits->size() < (forward_chaining ? 1u : 2u)) return std::nullopt;
  ExperimentComparison comparison;
  comparison.point = first.point;
  comparison.classes = first.classes;
  comparison.split = first.split;
  comparison.first = first.experiment;
  comparison.second = second.experiment;
  comparison.splits = static_cast<int>(splits->size());
  std::set<std::int64_t> items;
  for (const auto& pair : *splits)
    items.insert(pair.first->validation_media.begin(), pair.first->validation_media.end());
  comparison.items = static_cast<int>(items.size());
  if (forward_chaining) {
    add_sign_test(*splits, comparison);
  } else {
    add_t_test(*splits, first.folds, comparison);
  }
  return comparison;
}

std::optional<double> comparison_p_value(const ExperimentComparison& comparison) {
  if (comparison.sign_test) return comparison.sign_test->p_value;
  if (comparison.t_test) return comparison.t_test->p_value;
  return std::nullopt;
}

std::vector<ExperimentComparison> compare_paired_experiments(const std::vector<ResultGroup>& groups) {
  std::vector<ExperimentComparison> comparisons;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    for (std::size_t j = i + 1; j < groups.size(); ++j) {
      const ResultGroup& first = groups[i];
      const ResultGroup& second = groups[j];
      if (first.point != second.point || first.classes != second.classes || first.split != second.split)
        continue;
      if (std::optional<ExperimentComparison> comparison = compare_groups(first, second)) {
        comparisons.push_back(std::move(*comparison));
      }
    }
  }
  return comparisons;
}

}  // namespace popsweep::reports
