#include "reports/detail_tables.h"

#include <fmt/format.h>

#include "reports/results_tables.h"
#include "storage/job_tables.h"

namespace popsweep::reports {

TextTable comparisons_table(const SweepResults& results) {
  TextTable table;
  table.caption = "Paired comparisons on the same validation folds (corrected resampled t-test, best epoch)";
  table.header = {"point", "classes", "first", "second", "splits", "mean difference", "t", "p"};
  for (const ExperimentComparison& c : results.comparisons) {
    table.rows.push_back({describe_point(c.point), std::to_string(c.classes), c.first, c.second,
                          std::to_string(c.splits), fmt::format("{:+.3f}", c.test.mean_difference),
                          fmt::format("{:.2f}", c.test.t_statistic), fmt::format("{:.3f}", c.test.p_value)});
  }
  return table;
}

TextTable unfinished_jobs_table(const SweepResults& results) {
  TextTable table;
  table.caption = "Jobs not done (their results are missing from the tables)";
  table.header = {"job", "stage", "status", "attempts", "error"};
  for (const storage::JobRow& job : results.unfinished_jobs) {
    table.rows.push_back({std::to_string(job.id), job.stage, storage::to_string(job.status),
                          std::to_string(job.attempts), job.error});
  }
  return table;
}

TextTable media_problems_table(const SweepResults& results) {
  TextTable table;
  table.caption = "Media skipped by a stage";
  table.header = {"media", "stage", "path", "reason"};
  for (const storage::MediaProblem& problem : results.media_problems) {
    table.rows.push_back({std::to_string(problem.media_id), problem.stage, problem.path, problem.reason});
  }
  return table;
}

}  // namespace popsweep::reports
