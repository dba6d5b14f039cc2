// The report of a search (`search.method` random, sobol or tpe): its trials
// ranked by the objective they were judged by, with mean ± std over repeats
// and their parameters, and the score against each searched parameter as a
// scatter (log axis for log ranges). A grid sweep has no search summary.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "reports/report_charts.h"
#include "reports/sweep_results.h"
#include "reports/text_table.h"

namespace popsweep::reports {

struct SearchedKey {
  std::string path;
  std::string range;  // uniform, loguniform, int, choice; empty for a `sweep:` axis
};

// One sweep point of a trial (a trial crossed with a grid point) and one
// objective experiment.
struct SearchTrialRow {
  int trial = 0;
  nlohmann::json point;  // the swept and searched values, without the trial number
  std::string experiment;
  train::MeanAndStd score;  // over repeats
  int runs = 0;
};

// What successive halving saved: epochs its training jobs trained against
// the same trials trained unpruned (each job to the last rung's epochs).
struct PruningBudget {
  int eta = 0;
  int max_epochs = 0;
  int pruned_jobs = 0;
  int train_jobs = 0;               // the search's rung jobs, any status
  std::int64_t epochs_trained = 0;  // by done and pruned rung jobs
  std::int64_t epochs_unpruned = 0;
};

// The chosen trial re-evaluated on fresh repeats (search.holdout_repeats),
// per objective experiment, beside the selection score it was chosen by.
struct HoldoutEstimate {
  int trial = 0;
  std::string experiment;
  train::MeanAndStd score;         // over the holdout runs
  std::optional<double> baseline;  // mean majority baseline of those runs
  int runs = 0;
  std::optional<train::MeanAndStd> selection;  // the trial's row in the ranking
};

// A sweep point of a trial that stopped below a pruned search's last rung
// (or waits there for its rung to be decided), at the highest rung it
// reached: its score is over fewer epochs than the ranked trials'.
struct LowerRungRow {
  int trial = 0;
  int rung = 0;
  int epochs = 0;        // what its jobs trained to
  bool pruned = false;   // its jobs ended `pruned`; otherwise not decided yet
  nlohmann::json point;  // the swept and searched values, without the trial and rung
  std::string experiment;
  train::MeanAndStd score;
  int runs = 0;
};

struct SearchSummary {
  std::string method;
  std::vector<std::string> experiments;  // search.objective
  int classes = 0;
  std::string metric;
  std::string epoch;
  std::vector<SearchedKey> keys;          // searched first, then the grid axes
  std::vector<SearchTrialRow> rows;       // best first (ties in trial order)
  std::vector<LowerRungRow> lower_rungs;  // highest rung first, then best first
  std::optional<PruningBudget> pruning;
  std::vector<HoldoutEstimate> holdout;
};

// Moves a pruned search's groups below its last rung (points with
// `search.rung`) from results.groups to results.lower_rung_groups, and drops
// the paired comparisons of those points: the per-point tables, figures and
// files then hold full-budget trials only, and the Search section lists the
// lower rungs apart (lower_rung_table).
void set_aside_lower_rungs(SweepResults& results);

// nullopt for a sweep that is no search (its recorded identity has no
// "search" description).
std::optional<SearchSummary> summarize_search(const SweepResults& results);

// The pruning budget and the holdout estimate, as sentences (none when the
// search has neither).
std::vector<std::string> search_notes(const SearchSummary& summary);

// The best `top` rows with their parameters.
TextTable best_trials_table(const SearchSummary& summary, size_t top = 10);
// The trials that did not reach the last rung, each at the rung and epochs
// it reached; no rows for an unpruned search.
TextTable lower_rung_table(const SearchSummary& summary);
// One scatter per key: x the key's value (log10 for log ranges), y the score.
std::vector<ReportChart> search_parameter_charts(const SearchSummary& summary);

}  // namespace popsweep::reports
