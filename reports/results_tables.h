// The paper's results table (METHOD M19): one row per experiment, per number
// of classes the best-epoch accuracy (mean ± std over runs), the last-epoch
// accuracy, top-2 accuracy where K >= 3 and the majority baseline; one table
// per sweep point. Where the point ran the paper's protocol on pretrained
// weights and a real profile (paper_reference.h), a "paper (reference)"
// column beside the best-epoch one holds the paper's published accuracy. The same numbers go to results.csv (one row per point,
// experiment, classes and metric, for plotting elsewhere) and results.json.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reports/sweep_results.h"
#include "reports/text_table.h"

namespace popsweep::reports {

// "0.540 ± 0.012"
std::string format_mean_and_std(const train::MeanAndStd& value);
// "[0.512, 0.571]"
std::string format_interval(const Interval& interval);
// "0.034", or "< 0.001"
std::string format_p_value(double p);
// How the intervals and p-values were computed, for captions and notes.
std::string uncertainty_statement(int resamples = kBootstrapResamples, int permutations = kPermutations);
// A sweep point's JSON as "labels.window_weeks=4, train.epochs=8"; empty
// for "{}", the point of a sweep that sweeps nothing.
std::string describe_point(const std::string& point_json);

std::vector<TextTable> results_tables(const SweepResults& results);

// Header: point,experiment,classes,metric,mean,std,runs,ci95_low,ci95_high,
// selection_biased,p_value_vs_chance. Metrics: accuracy_best, accuracy_last,
// top2_best, top2_last, majority_baseline (the last three only where
// defined). ci95_*: the bootstrap interval over posts (accuracy_intervals.h);
// selection_biased: true on best-epoch rows; p_value_vs_chance: on the
// accuracy_last row, the permutation test against chance.
std::string results_csv(const SweepResults& results);

nlohmann::json results_json(const SweepResults& results);

}  // namespace popsweep::reports
