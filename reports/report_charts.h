// The report's figures as SVG, built from a sweep's results: accuracy per
// experiment, accuracy against each swept parameter, row-normalised
// confusion matrices and learning curves. report.html inlines them and
// report.md links the copies written beside it.
#pragma once

#include <string>
#include <vector>

#include "reports/sweep_results.h"

namespace popsweep::reports {

struct ReportChart {
  std::string file_stem;  // unique within a report, safe as a file name
  std::string title;
  std::string svg;
};

// Every figure of a report, by the section it belongs to.
struct ReportFigures {
  std::vector<ReportChart> accuracy;
  std::vector<ReportChart> sweep_parameters;
  std::vector<ReportChart> confusion;
  std::vector<ReportChart> learning_curves;
  std::vector<ReportChart> input_ablation;

  std::vector<const ReportChart*> all() const;
};
ReportFigures build_report_figures(const SweepResults& results);

// Best-epoch accuracy per experiment, a bar per number of classes; one per point.
std::vector<ReportChart> accuracy_bar_charts(const SweepResults& results);
// One line chart per swept key that takes at least two values: x the key's
// value, a line per (experiment, classes, other swept values), error bars
// the std over runs.
std::vector<ReportChart> sweep_parameter_charts(const SweepResults& results);
// Best-epoch confusion matrices, row-normalised, each cell "mean±std".
std::vector<ReportChart> confusion_charts(const SweepResults& results);
// A sweep over train.inputs: per other point, best-epoch accuracy per
// (experiment, classes), a bar per input set (reports/input_ablation.h).
std::vector<ReportChart> input_ablation_charts(const SweepResults& results);
// Mean accuracy and loss per epoch with std bands, per group.
std::vector<ReportChart> learning_curve_charts(const SweepResults& results);

}  // namespace popsweep::reports
