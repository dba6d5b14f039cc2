// The report's Calibration section: per sweep point, experiment and number
// of classes, the expected calibration error and the Brier score of the
// pooled out-of-fold probabilities (calibration.h) at the best and the last
// epoch, and a reliability diagram (accuracy against confidence per bin, with
// the diagonal of perfect calibration). Legends stay short to fit the chart:
// "best (biased)" is the best epoch, chosen on the fold it is scored on.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reports/report_charts.h"
#include "reports/sweep_results.h"
#include "reports/text_table.h"

namespace popsweep::reports {

TextTable calibration_table(const SweepResults& results);
std::vector<ReportChart> reliability_charts(const SweepResults& results);
nlohmann::json calibration_json(const ResultGroup& group);

}  // namespace popsweep::reports
