// `search.pruner: successive_halving`: synchronous successive halving over
// epochs (Jamieson and Talwalkar, 2016). Each batch of search.batch trials is
// a bracket. Rung r trains every job of the bracket's surviving trials to
// min_epochs * eta^r epochs (the last rung to max_epochs); once every job of
// a rung is done, the trials are ranked by the objective over those jobs and
// the best ceil(n / eta) go on, from the training state their rung saved;
// the rung jobs of the others end `pruned`.
//
// A rung is a job of its own: the job of rung r + 1 continues the state of
// the job of rung r (its params name it) and has the same seed, so it gives
// the numbers an uninterrupted run to that epoch gives (trainer.h). Every
// decision is recomputed from the stored results on each round, so a rerun
// after a kill takes the same decisions, and a bracket depends only on its
// own trials: raising search.trials adds brackets and leaves the old ones.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "orchestrator/job_graph.h"
#include "orchestrator/search_samplers.h"
#include "storage/job_tables.h"
#include "storage/result_tables.h"

namespace popsweep::storage {
class Database;
}

namespace popsweep::orchestrator {

struct HalvingSettings {
  bool enabled = false;
  int min_epochs = 1;
  int max_epochs = 15;  // search.max_epochs, or train.epochs when it is 0
  int eta = 3;
  int bracket = 8;  // search.batch
};

HalvingSettings halving_settings(const SpecValues& values);

// The epochs of each rung: min_epochs * eta^r while below max_epochs, then
// max_epochs (1, 3, 9 for min 1, max 9, eta 3; 2, 6, 15 for min 2, max 15).
std::vector<int> rung_epochs(const HalvingSettings& settings);

// A pruner or holdout setting the spec cannot run, as the key at fault and
// why; nullopt when they are fine. `varied_keys`: the `sweep:` and `search:`
// keys.
struct SearchSettingProblem {
  std::string key;
  std::string message;
};
std::optional<SearchSettingProblem> pruner_problem(const SpecValues& values,
                                                   const std::vector<std::string>& varied_keys);

// What the database holds of a planned job (by key): nullopt when it has no
// such job yet.
struct StoredTrainJob {
  storage::JobStatus status = storage::JobStatus::Pending;
  std::optional<storage::TrainResultRow> result;
};
using StoredJobLookup = std::function<std::optional<StoredTrainJob>(const std::string& key)>;
// Done or pruned, with its result: what a decision can count on.
bool finished_with_result(const std::optional<StoredTrainJob>& job);

// Where each trial of the search stands.
struct TrialRungs {
  int trial = 0;
  int rungs_planned = 0;       // its jobs exist up to this many rungs
  std::vector<double> scores;  // its score at each decided rung
  bool pruned = false;         // stopped at rung rungs_planned - 1
};

struct HalvingRound {
  // The planned jobs with each training job replaced by its rung jobs so far
  // (rung 0 in its place, later rungs at the end, after what they continue).
  std::vector<PlannedJob> jobs;
  std::vector<std::string> pruned_keys;  // rung jobs of stopped trials
  std::vector<TrialRungs> trials;        // in trial order
  // Epochs the rung jobs planned so far train, and what the same trials
  // would train unpruned (each job to max_epochs).
  std::int64_t epochs_planned = 0;
  std::int64_t epochs_unpruned = 0;
};

// `planned`: plan_jobs of the search's sweep points (training jobs carry
// their trial number in their point). `stored`: what the database holds.
HalvingRound plan_halving(const std::vector<PlannedJob>& planned, const HalvingSettings& settings,
                          const SearchObjective& objective, const StoredJobLookup& stored);

// The jobs of the sweep `sweep_name` by key, with the results of the done
// and pruned ones; an unrecorded sweep holds nothing.
StoredJobLookup stored_train_jobs(storage::Database& db, const std::string& sweep_name);

// The sweep point key that marks a rung job below the last rung: the report
// judges trials by their last rung.
inline constexpr const char* kRungKey = "search.rung";

}  // namespace popsweep::orchestrator
