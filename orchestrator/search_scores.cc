#include "orchestrator/search_scores.h"

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "orchestrator/search_holdout.h"
#include "storage/database.h"
#include "storage/job_tables.h"

namespace popsweep::orchestrator {

std::optional<double> objective_score(const SearchObjective& objective,
                                      const std::vector<storage::TrainResultRow>& results) {
  double correct = 0, baseline = 0, items = 0;
  for (const storage::TrainResultRow& row : results) {
    if (row.classes != objective.classes) continue;
    if (std::find(objective.experiments.begin(), objective.experiments.end(), row.experiment) ==
        objective.experiments.end()) {
      continue;
    }
    const double accuracy = objective.epoch == "last" ? row.accuracy_last : row.accuracy_best;
    correct += accuracy * row.val_items;
    baseline += row.majority_baseline * row.val_items;
    items += row.val_items;
  }
  if (items == 0) return std::nullopt;
  return objective.metric == "accuracy_over_baseline" ? (correct - baseline) / items : correct / items;
}

std::string trial_signature(const std::vector<SearchDimension>& space,
                            const std::map<std::string, std::string>& values) {
  std::string signature;
  for (const SearchDimension& dimension : space) {
    const auto found = values.find(dimension.path);
    signature += dimension.path + "=" + (found == values.end() ? "?" : found->second) + "\n";
  }
  return signature;
}

TrialScoreLookup stored_trial_scores(storage::Database& db, const std::string& sweep_name,
                                     const std::vector<SearchDimension>& space,
                                     const SearchObjective& objective) {
  const std::optional<storage::SweepRow> sweep = storage::find_sweep(db, sweep_name);
  if (!sweep) return {};
  const std::map<std::int64_t, std::string> points = storage::load_sweep_points(db, sweep->id);
  std::map<std::int64_t, storage::TrainResultRow> result_of_job;
  for (storage::TrainResultRow& row : storage::load_train_results(db, sweep->id))
    result_of_job[row.job_id] = row;

  struct Trial {
    bool complete = true;
    std::vector<storage::TrainResultRow> results;
  };
  std::map<std::string, Trial> trials;
  for (const storage::JobRow& job : storage::load_sweep_jobs(db, sweep->id)) {
    if (job.stage != "train") continue;
    const auto point = points.find(job.id);
    if (point == points.end()) continue;
    const nlohmann::json swept = nlohmann::json::parse(point->second);
    // A holdout job is no part of the trial's score (search_holdout.h).
    if (!swept.contains(kTrialKey) || swept.contains(kHoldoutKey)) continue;
    std::map<std::string, std::string> values;
    for (const SearchDimension& dimension : space) {
      if (swept.contains(dimension.path)) values[dimension.path] = swept[dimension.path].get<std::string>();
    }
    Trial& trial = trials[trial_signature(space, values)];
    const auto result = result_of_job.find(job.id);
    if (job.status != storage::JobStatus::Done || result == result_of_job.end()) {
      trial.complete = false;
    } else {
      trial.results.push_back(result->second);
    }
  }
  auto scores = std::make_shared<std::map<std::string, double>>();
  for (const auto& [signature, trial] : trials) {
    if (!trial.complete) continue;
    if (const std::optional<double> score = objective_score(objective, trial.results))
      (*scores)[signature] = *score;
  }
  return [scores, space](const SpecValues& trial_values) -> std::optional<double> {
    std::map<std::string, std::string> values;
    for (const auto& [path, value] : trial_values) values[path] = format_spec_value(value);
    const auto found = scores->find(trial_signature(space, values));
    if (found == scores->end()) return std::nullopt;
    return found->second;
  };
}

}  // namespace popsweep::orchestrator
