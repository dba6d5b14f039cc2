#include "orchestrator/search_holdout.h"

#include <map>
#include <set>

#include "orchestrator/search_scores.h"
#include "orchestrator/search_space.h"

namespace popsweep::orchestrator {

std::optional<int> chosen_trial(const std::vector<PlannedJob>& planned, int expected_trials,
                                const SearchObjective& objective, const StoredJobLookup& stored) {
  if (!stored) return std::nullopt;
  std::set<int> trials;
  std::map<int, std::vector<storage::TrainResultRow>> final_results;
  for (const PlannedJob& job : planned) {
    if (job.stage != "train" || !job.point.contains(kTrialKey) || job.point.contains(kHoldoutKey)) continue;
    const int trial = job.point.at(kTrialKey).get<int>();
    trials.insert(trial);
    const std::optional<StoredTrainJob> found = stored(job.key());
    if (!finished_with_result(found)) return std::nullopt;
    if (!job.point.contains(kRungKey) && found->status == storage::JobStatus::Done)
      final_results[trial].push_back(*found->result);
  }
  if (static_cast<int>(trials.size()) < expected_trials) return std::nullopt;
  std::optional<int> best;
  double best_score = 0;
  for (const auto& [trial, results] : final_results) {
    const std::optional<double> score = objective_score(objective, results);
    if (score && (!best || *score > best_score)) best = trial, best_score = *score;
  }
  return best;
}

std::vector<PlannedJob> holdout_jobs(const std::vector<Spec>& points,
                                     const std::vector<nlohmann::json>& swept_values, int trial,
                                     int holdout_repeats, int epochs, const GraphInputs& inputs) {
  std::vector<Spec> raised;
  std::vector<nlohmann::json> swept;
  int selection_repeats = 0;
  for (size_t i = 0; i < points.size() && i < swept_values.size(); ++i) {
    const nlohmann::json& point = swept_values[i];
    if (!point.contains(kTrialKey) || point.at(kTrialKey).get<int>() != trial) continue;
    Spec spec = points[i];
    selection_repeats = spec.train.repeats;
    spec.train.repeats += holdout_repeats;
    if (epochs > 0) spec.train.epochs = epochs;
    raised.push_back(std::move(spec));
    nlohmann::json marked = point;
    marked[kHoldoutKey] = 1;
    swept.push_back(std::move(marked));
  }
  std::vector<PlannedJob> jobs;
  for (PlannedJob& job : plan_jobs(raised, inputs, swept)) {
    if (job.stage == "train" && job.params.at("repeat").get<int>() >= selection_repeats)
      jobs.push_back(std::move(job));
  }
  return jobs;
}

}  // namespace popsweep::orchestrator
