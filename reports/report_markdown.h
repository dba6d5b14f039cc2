// report.md: the sweep's tables in Markdown, with links to the chart files
// written beside it (Markdown cannot hold SVG inline portably).
#pragma once

#include <string>

#include "reports/leakage_audit.h"
#include "reports/report_charts.h"
#include "reports/sweep_results.h"

namespace popsweep::reports {

// `charts_folder` is where the charts are, relative to report.md; each chart
// is `<charts_folder>/<file_stem>.svg`.
// The Calibration section (calibration_report.h): its table and links to
// the reliability diagrams in `charts_folder`.
std::string calibration_section_markdown(const SweepResults& results, const std::vector<ReportChart>& charts,
                                         const std::string& charts_folder);

std::string report_markdown(const SweepResults& results, const LeakageAudit& audit, const ReportFigures& figures,
                            const std::string& charts_folder);

}  // namespace popsweep::reports
