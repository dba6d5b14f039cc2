// report.html: one self-contained page (inline CSS, inline SVG charts, no
// script, nothing fetched from the network), so it can be mailed or opened
// from an archive years later. All text from the database is escaped.
#pragma once

#include <string>

#include "reports/leakage_audit.h"
#include "reports/report_charts.h"
#include "reports/sweep_results.h"

namespace popsweep::reports {

// The Calibration section (calibration_report.h) with the reliability
// diagrams inline.
std::string calibration_section_html(const SweepResults& results, const std::vector<ReportChart>& charts);

std::string report_html(const SweepResults& results, const LeakageAudit& audit, const ReportFigures& figures);

}  // namespace popsweep::reports
