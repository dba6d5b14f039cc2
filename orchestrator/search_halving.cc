#include "orchestrator/search_halving.h"

#include <algorithm>
#include <map>
#include <memory>

#include "orchestrator/search_scores.h"
#include "orchestrator/search_space.h"
#include "storage/database.h"

namespace popsweep::orchestrator {
namespace {

std::int64_t integer_at(const SpecValues& values, const std::string& path) {
  return std::get<std::int64_t>(values.at(path));
}

// The jobs of one trial at one rung, and how far they trained before it.
struct RungJobs {
  std::vector<PlannedJob> jobs;
  bool complete = true;  // every job done (or pruned) with a result
  std::vector<storage::TrainResultRow> results;
};

PlannedJob rung_job(const PlannedJob& base, const std::vector<int>& epochs, int rung,
                    const std::string& continues) {
  PlannedJob job = base;
  job.params["train"]["epochs"] = epochs[static_cast<size_t>(rung)];
  nlohmann::json halving = {{"rung", rung},
                            {"from_epoch", rung == 0 ? 0 : epochs[static_cast<size_t>(rung) - 1]},
                            {"max_epochs", epochs.back()}};
  if (!continues.empty()) {
    halving["continues"] = continues;
    job.depends_on.push_back(continues);
  }
  job.params["halving"] = std::move(halving);
  // The seed of the trial's job, whatever the rung: a rung continues the
  // random streams of the rung before (they derive from seed and epoch).
  job.seed = base.seed;
  if (rung + 1 < static_cast<int>(epochs.size())) job.point[kRungKey] = rung;
  return job;
}

}  // namespace

bool finished_with_result(const std::optional<StoredTrainJob>& job) {
  return job && job->result &&
         (job->status == storage::JobStatus::Done || job->status == storage::JobStatus::Pruned);
}

HalvingSettings halving_settings(const SpecValues& values) {
  HalvingSettings settings;
  settings.enabled = std::get<std::string>(values.at("search.pruner")) == "successive_halving";
  settings.min_epochs = static_cast<int>(integer_at(values, "search.min_epochs"));
  settings.max_epochs = static_cast<int>(integer_at(values, "search.max_epochs"));
  if (settings.max_epochs == 0) settings.max_epochs = static_cast<int>(integer_at(values, "train.epochs"));
  settings.eta = static_cast<int>(integer_at(values, "search.eta"));
  settings.bracket = static_cast<int>(integer_at(values, "search.batch"));
  return settings;
}

std::vector<int> rung_epochs(const HalvingSettings& settings) {
  std::vector<int> epochs;
  for (std::int64_t e = settings.min_epochs; e < settings.max_epochs; e *= settings.eta) {
    epochs.push_back(static_cast<int>(e));
  }
  epochs.push_back(settings.max_epochs);
  return epochs;
}

std::optional<SearchSettingProblem> pruner_problem(const SpecValues& values,
                                                   const std::vector<std::string>& varied_keys) {
  const std::string method = std::get<std::string>(values.at("search.method"));
  const HalvingSettings settings = halving_settings(values);
  if (integer_at(values, "search.holdout_repeats") > 0 && method == "grid") {
    return SearchSettingProblem{"search.holdout_repeats",
                                "re-evaluates the best trial of a search: set search.method to random, sobol "
                                "or tpe"};
  }
  if (!settings.enabled) return std::nullopt;
  if (method != "random" && method != "sobol") {
    return SearchSettingProblem{
        "search.pruner",
        "successive_halving prunes the trials of a random or sobol search (search.method "
        "is " +
            method + ")"};
  }
  if (settings.min_epochs > settings.max_epochs) {
    return SearchSettingProblem{"search.min_epochs", std::to_string(settings.min_epochs) +
                                                         " is more than search.max_epochs (" +
                                                         std::to_string(settings.max_epochs) + ")"};
  }
  if (integer_at(values, "search.trials") % settings.bracket != 0) {
    return SearchSettingProblem{"search.trials",
                                "successive_halving runs whole brackets of search.batch (" +
                                    std::to_string(settings.bracket) +
                                    ") trials: make search.trials a multiple of it, so raising it later adds "
                                    "brackets and never changes an old one"};
  }
  if (std::find(varied_keys.begin(), varied_keys.end(), "train.epochs") != varied_keys.end()) {
    return SearchSettingProblem{
        "train.epochs",
        "successive_halving sets each rung's epochs (search.min_epochs, search.max_epochs): "
        "do not search or sweep train.epochs with it"};
  }
  return std::nullopt;
}

HalvingRound plan_halving(const std::vector<PlannedJob>& planned, const HalvingSettings& settings,
                          const SearchObjective& objective, const StoredJobLookup& stored) {
  const std::vector<int> epochs = rung_epochs(settings);
  HalvingRound round;
  // The training jobs of each trial, in plan order (a trial that drew the
  // values of an earlier one shares its jobs and so its fate).
  std::map<int, std::vector<PlannedJob>> trial_jobs;
  for (const PlannedJob& job : planned) {
    if (job.stage != "train" || !job.point.contains(kTrialKey)) {
      round.jobs.push_back(job);
      continue;
    }
    trial_jobs[job.point.at(kTrialKey).get<int>()].push_back(job);
    round.jobs.push_back(rung_job(job, epochs, 0, ""));
  }
  std::map<int, std::vector<std::string>> last_keys;  // trial -> its jobs' keys at its last planned rung
  std::map<int, TrialRungs> standing;
  for (const auto& [trial, jobs] : trial_jobs) {
    for (const PlannedJob& job : jobs) last_keys[trial].push_back(rung_job(job, epochs, 0, "").key());
    standing[trial] = TrialRungs{trial, 1, {}, false};
    round.epochs_planned += static_cast<std::int64_t>(jobs.size()) * epochs.front();
    round.epochs_unpruned += static_cast<std::int64_t>(jobs.size()) * settings.max_epochs;
  }

  std::map<int, std::vector<int>> brackets;
  for (const auto& [trial, jobs] : trial_jobs) brackets[trial / settings.bracket].push_back(trial);
  for (const auto& [bracket, members] : brackets) {
    std::vector<int> alive = members;  // in trial order
    for (size_t rung = 0; rung + 1 < epochs.size(); ++rung) {
      // The rung is decided once every job of every surviving trial is.
      std::map<int, RungJobs> at_rung;
      bool decided = true;
      for (const int trial : alive) {
        RungJobs& jobs = at_rung[trial];
        for (const std::string& key : last_keys.at(trial)) {
          const std::optional<StoredTrainJob> job = stored ? stored(key) : std::nullopt;
          if (!finished_with_result(job)) {
            decided = false;
            break;
          }
          jobs.results.push_back(*job->result);
        }
        if (!decided) break;
      }
      if (!decided) break;
      // Best first; a trial its objective cannot score ranks last; ties keep
      // trial order (stable sort).
      std::vector<std::pair<int, double>> ranked;
      for (const int trial : alive) {
        const std::optional<double> score = objective_score(objective, at_rung.at(trial).results);
        standing.at(trial).scores.push_back(score.value_or(-1));
        ranked.emplace_back(trial, score.value_or(-1e300));
      }
      std::stable_sort(ranked.begin(), ranked.end(),
                       [](const auto& a, const auto& b) { return a.second > b.second; });
      const size_t keep =
          (alive.size() + static_cast<size_t>(settings.eta) - 1) / static_cast<size_t>(settings.eta);
      std::vector<int> promoted;
      for (size_t i = 0; i < ranked.size(); ++i) {
        const int trial = ranked[i].first;
        if (i < keep) {
          promoted.push_back(trial);
          continue;
        }
        standing.at(trial).pruned = true;
        for (const std::string& key : last_keys.at(trial)) round.pruned_keys.push_back(key);
      }
      std::sort(promoted.begin(), promoted.end());
      const int next = static_cast<int>(rung) + 1;
      for (const int trial : promoted) {
        std::vector<std::string> keys;
        const std::vector<PlannedJob>& jobs = trial_jobs.at(trial);
        for (size_t j = 0; j < jobs.size(); ++j) {
          PlannedJob job = rung_job(jobs[j], epochs, next, last_keys.at(trial)[j]);
          keys.push_back(job.key());
          round.jobs.push_back(std::move(job));
          round.epochs_planned += epochs[static_cast<size_t>(next)] - epochs[rung];
        }
        last_keys[trial] = std::move(keys);
        standing.at(trial).rungs_planned = next + 1;
      }
      alive = std::move(promoted);
    }
  }
  for (auto& [trial, rungs] : standing) round.trials.push_back(std::move(rungs));
  return round;
}

StoredJobLookup stored_train_jobs(storage::Database& db, const std::string& sweep_name) {
  const std::optional<storage::SweepRow> sweep = storage::find_sweep(db, sweep_name);
  if (!sweep) return {};
  auto jobs = std::make_shared<std::map<std::string, StoredTrainJob>>();
  std::map<std::int64_t, storage::TrainResultRow> result_of_job;
  for (storage::TrainResultRow& row : storage::load_train_results(db, sweep->id, true))
    result_of_job[row.job_id] = std::move(row);
  for (const storage::JobRow& job : storage::load_sweep_jobs(db, sweep->id)) {
    if (job.stage != "train") continue;
    StoredTrainJob& entry = (*jobs)[job.key];
    entry.status = job.status;
    if (const auto result = result_of_job.find(job.id); result != result_of_job.end())
      entry.result = result->second;
  }
  return [jobs](const std::string& key) -> std::optional<StoredTrainJob> {
    const auto found = jobs->find(key);
    if (found == jobs->end()) return std::nullopt;
    return found->second;
  };
}

}  // namespace popsweep::orchestrator
