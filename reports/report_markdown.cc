#include "reports/report_markdown.h"

#include <fmt/format.h>

#include "reports/data_figures.h"
#include "reports/detail_tables.h"
#include "reports/results_tables.h"

namespace popsweep::reports {
namespace {

// An empty table reads better as one line than as a header with no rows.
std::string table_or_none(const TextTable& table) {
  if (table.rows.empty()) return "**" + table.caption + "**: none.\n\n";
  return to_markdown(table) + "\n";
}

std::string chart_links(const std::string& heading, const std::vector<ReportChart>& charts,
                        const std::string& charts_folder) {
  if (charts.empty()) return "";
  std::string text = "## " + heading + "\n\n";
  for (const ReportChart& chart : charts) {
    text += fmt::format("![{}]({}/{}.svg)\n\n", chart.title, charts_folder, chart.file_stem);
  }
  return text;
}

}  // namespace

std::string data_section_markdown(const std::vector<ReportChart>& charts, const std::string& charts_folder) {
  return chart_links("Data", charts, charts_folder);
}

std::string report_markdown(const SweepResults& results, const ReportFigures& figures,
                            const std::string& charts_folder) {
  std::string text = fmt::format("# Sweep '{}' (id {})\n\n", results.sweep.name, results.sweep.id);
  text +=
      "Scores follow M19: a run's accuracy is over the pooled validation predictions of its folds; the table "
      "gives the mean and the population std over runs. \"best\" selects the epoch on the validation fold "
      "(optimistic, as the paper did), \"last\" is the final epoch.\n\n";
  text += "## Results\n\n";
  for (const TextTable& table : results_tables(results)) text += to_markdown(table) + "\n";
  if (results.groups.empty()) text += "No finished training jobs yet.\n\n";
  text += chart_links("Accuracy per experiment", figures.accuracy, charts_folder);
  text += chart_links("Accuracy against swept parameters", figures.sweep_parameters, charts_folder);
  text += "## Paired comparisons\n\n" + table_or_none(comparisons_table(results));
  text += chart_links("Confusion matrices", figures.confusion, charts_folder);
  text += chart_links("Learning curves", figures.learning_curves, charts_folder);
  text += "## Problems\n\n" + table_or_none(unfinished_jobs_table(results));
  text += table_or_none(media_problems_table(results));
  return text;
}

}  // namespace popsweep::reports
