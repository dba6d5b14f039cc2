// `search.holdout_repeats: R`: the best trial's score is the maximum of many
// noisy estimates on the same folds, so it is optimistic. Once every trial is
// scored, the chosen trial is trained again on R fresh repeats, whose fold
// seeds (repeat numbers train.repeats .. train.repeats + R - 1) no trial was
// judged on; the report shows that estimate beside the selection score.
#pragma once

#include <optional>
#include <vector>

#include "orchestrator/job_graph.h"
#include "orchestrator/search_halving.h"
#include "orchestrator/search_samplers.h"

namespace popsweep::orchestrator {

// The sweep point key that marks a holdout job (the report keeps them out of
// the ranking).
inline constexpr const char* kHoldoutKey = "search.holdout";

// The trial the search chose, once every training job of `planned` is
// finished and `expected_trials` trials have jobs: the best objective over
// each trial's final jobs (a pruned search: its last rung; pruned trials have
// none), ties to the earlier trial. nullopt while the search runs.
std::optional<int> chosen_trial(const std::vector<PlannedJob>& planned, int expected_trials,
                                const SearchObjective& objective, const StoredJobLookup& stored);

// The training jobs of `trial` on `holdout_repeats` fresh repeats: its sweep
// points with train.repeats raised (and train.epochs set to `epochs` when
// positive, a pruned search's last rung), keeping only the new repeats.
std::vector<PlannedJob> holdout_jobs(const std::vector<Spec>& points,
                                     const std::vector<nlohmann::json>& swept_values, int trial,
                                     int holdout_repeats, int epochs, const GraphInputs& inputs);

}  // namespace popsweep::orchestrator
