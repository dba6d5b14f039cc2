// A search's trial scores as the database holds them, for TPE's proposals:
// a trial is scored once every training job of its sweep point(s) is done,
// by search.objective over those jobs.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "orchestrator/search_samplers.h"
#include "storage/result_tables.h"

namespace popsweep::storage {
class Database;
}

namespace popsweep::orchestrator {

// The trial's objective over its jobs' results: the validation accuracy pooled
// over folds, repeats, grid points and the objective's experiments (weighted
// by validated items), at the best or last epoch, minus the pooled majority
// baseline for accuracy_over_baseline. nullopt when no job matches.
std::optional<double> objective_score(const SearchObjective& objective,
                                      const std::vector<storage::TrainResultRow>& results);

// The text that identifies a trial by its searched values, as sweep points
// record them (format_spec_value of each searched key, in space order).
std::string trial_signature(const std::vector<SearchDimension>& space,
                            const std::map<std::string, std::string>& values);

// Looks trials up by their values in the sweep `sweep_name` of `db`; a sweep
// not recorded yet scores nothing. Two trials that drew the same values share
// their jobs and so their score.
TrialScoreLookup stored_trial_scores(storage::Database& db, const std::string& sweep_name,
                                     const std::vector<SearchDimension>& space,
                                     const SearchObjective& objective);

}  // namespace popsweep::orchestrator
