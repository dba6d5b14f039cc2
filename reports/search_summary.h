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

struct SearchSummary {
  std::string method;
  std::vector<std::string> experiments;  // search.objective
  int classes = 0;
  std::string metric;
  std::string epoch;
  std::vector<SearchedKey> keys;     // searched first, then the grid axes
  std::vector<SearchTrialRow> rows;  // best first (ties in trial order)
};

// nullopt for a sweep that is no search (its recorded identity has no
// "search" description).
std::optional<SearchSummary> summarize_search(const SweepResults& results);

// The best `top` rows with their parameters.
TextTable best_trials_table(const SearchSummary& summary, size_t top = 10);
// One scatter per key: x the key's value (log10 for log ranges), y the score.
std::vector<ReportChart> search_parameter_charts(const SearchSummary& summary);

}  // namespace popsweep::reports
