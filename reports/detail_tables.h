// The report's tables beside the results: paired comparisons of experiments,
// jobs that did not finish, and media a stage could not use. Shared by
// report.md and report.html so both list the same rows.
#pragma once

#include <string>
#include <vector>

#include "reports/sweep_results.h"
#include "reports/text_table.h"

namespace popsweep::reports {

// Header "point" only when the sweep sweeps something.
TextTable comparisons_table(const SweepResults& results);
// What each test in the table assumes, and why `time` gets no t-test.
std::vector<std::string> comparisons_notes(const SweepResults& results);
TextTable unfinished_jobs_table(const SweepResults& results);
TextTable media_problems_table(const SweepResults& results);

}  // namespace popsweep::reports
