#include "reports/paired_comparisons.h"

#include <map>
#include <optional>
#include <utility>

namespace popsweep::reports {
namespace {

using SplitKey = std::pair<int, int>;  // (repeat, fold)

std::map<SplitKey, const TrainedJob*> jobs_by_split(const ResultGroup& group) {
  std::map<SplitKey, const TrainedJob*> jobs;
  for (const TrainedJob& job : group.jobs) jobs[{job.result.repeat, job.result.fold}] = &job;
  return jobs;
}

double best_epoch_accuracy(const TrainedJob& job) {
  return train::accuracy(job.best.true_classes, train::predicted_classes(job.best.probabilities));
}

// The per-split accuracy differences, or nothing when the two groups did not
// validate the same items on every split they share.
std::optional<std::vector<double>> paired_differences(const ResultGroup& first, const ResultGroup& second) {
  const std::map<SplitKey, const TrainedJob*> first_jobs = jobs_by_split(first);
  const std::map<SplitKey, const TrainedJob*> second_jobs = jobs_by_split(second);
  std::vector<double> differences;
  for (const auto& [split, first_job] : first_jobs) {
    const auto other = second_jobs.find(split);
    if (other == second_jobs.end()) continue;  // a missing job drops its split, not the whole pair
    const TrainedJob& second_job = *other->second;
    if (first_job->validation_media != second_job.validation_media) return std::nullopt;
    if (first_job->validation_media.empty()) continue;
    differences.push_back(best_epoch_accuracy(*first_job) - best_epoch_accuracy(second_job));
  }
  return differences;
}

}  // namespace

std::vector<ExperimentComparison> compare_paired_experiments(const std::vector<ResultGroup>& groups) {
  std::vector<ExperimentComparison> comparisons;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    for (std::size_t j = i + 1; j < groups.size(); ++j) {
      const ResultGroup& first = groups[i];
      const ResultGroup& second = groups[j];
      if (first.point != second.point || first.classes != second.classes || first.folds < 2) continue;
      const std::optional<std::vector<double>> differences = paired_differences(first, second);
      if (!differences || differences->size() < 2) continue;
      ExperimentComparison comparison;
      comparison.point = first.point;
      comparison.classes = first.classes;
      comparison.first = first.experiment;
      comparison.second = second.experiment;
      comparison.splits = static_cast<int>(differences->size());
      comparison.test = corrected_resampled_t_test(*differences, 1.0 / first.folds);
      comparisons.push_back(comparison);
    }
  }
  return comparisons;
}

}  // namespace popsweep::reports
