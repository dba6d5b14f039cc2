#include "reports/detail_tables.h"

#include <fmt/format.h>

#include "reports/results_tables.h"
#include "storage/job_tables.h"

namespace popsweep::reports {

namespace {

std::vector<std::string> comparison_cells(const ExperimentComparison& c) {
  std::vector<std::string> cells{std::to_string(c.classes), c.first, c.second};
  if (c.sign_test) {
    const SignTest& test = *c.sign_test;
    cells.insert(cells.end(), {"exact sign test over items",
                               fmt::format("{} items ({} split{})", c.items, c.splits, c.splits == 1 ? "" : "s"),
                               fmt::format("{:+.3f}", c.mean_difference),
                               fmt::format("{} vs {} items better ({} tied)", test.first_better, test.second_better,
                                           test.ties),
                               fmt::format("{:.3f}", test.p_value)});
  } else if (c.t_test) {
    const PairedComparison& test = *c.t_test;
    cells.insert(cells.end(),
                 {"corrected resampled t-test", fmt::format("{} splits", c.splits),
                  fmt::format("{:+.3f}", c.mean_difference),
                  test.t_statistic ? fmt::format("t = {:.2f}, {} df", *test.t_statistic, test.degrees_of_freedom)
                                   : "t undefined",
                  test.p_value ? fmt::format("{:.3f}", *test.p_value) : "n/a (" + test.undefined_because + ")"});
  }
  return cells;
}

}  // namespace

TextTable comparisons_table(const SweepResults& results) {
  TextTable table;
  table.caption = "Paired comparisons on the same validation items (best epoch, selection-biased)";
  // A sweep that sweeps nothing has one point: no column to say which.
  bool any_point = false;
  for (const ExperimentComparison& c : results.comparisons) any_point |= !describe_point(c.point).empty();
  if (any_point) table.header.push_back("point");
  for (const char* column : {"classes", "first", "second", "test", "compared", "mean difference", "statistic", "p"})
    table.header.push_back(column);
  for (const ExperimentComparison& c : results.comparisons) {
    std::vector<std::string> row;
    if (any_point) row.push_back(describe_point(c.point));
    for (std::string& cell : comparison_cells(c)) row.push_back(std::move(cell));
    table.rows.push_back(std::move(row));
  }
  return table;
}

std::vector<std::string> comparisons_notes(const SweepResults& results) {
  bool t_test = false, sign_test = false, time_split = false;
  for (const ExperimentComparison& c : results.comparisons) {
    t_test |= c.t_test.has_value();
    sign_test |= c.sign_test.has_value();
  }
  for (const ResultGroup& group : results.groups) time_split |= group.split == "time";
  std::vector<std::string> notes;
  if (t_test) {
    notes.push_back(
        "Corrected resampled t-test (Nadeau and Bengio, 2003) on the per-split accuracy differences: it assumes "
        "the folds are random resamples of the items (train.split media or post), and widens the variance for "
        "the overlap of their training sets. Where every split shows the same difference there is no spread to "
        "test against: p = 1 when that difference is 0, otherwise p is undefined (n/a) rather than 0.");
  }
  if (time_split) {
    notes.push_back(
        "train.split time: forward-chaining folds are consecutive blocks in time, not random resamples, so the "
        "corrected resampled t-test does not apply and is not reported. " +
        std::string(sign_test ? "Instead, the exact two-sided sign test over the pooled out-of-fold predictions of "
                                "the same items: per item, the repeats each experiment got right; with one "
                                "repeat it is McNemar's exact test. It assumes the items' outcomes are "
                                "independent given the trained models (items of one post or one season may "
                                "not be), and says nothing about other periods."
                              : "No pair of experiments was validated on the same items, so there is no test."));
  }
  return notes;
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
