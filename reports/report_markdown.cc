#include "reports/report_markdown.h"

#include <fmt/format.h>

#include "reports/calibration_report.h"
#include "reports/data_figures.h"
#include "reports/detail_tables.h"
#include "reports/input_ablation.h"
#include "reports/leakage_audit.h"
#include "reports/results_tables.h"
#include "reports/search_summary.h"

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

std::string leakage_warning_markdown(const std::vector<std::string>& warnings) {
  if (warnings.empty()) return "";
  std::string text = "> **Warning: leakage.** Some validation items had part of themselves in their own job's "
                     "training set, so their accuracies are optimistic (see the leakage audit):\n>\n";
  for (const std::string& warning : warnings) text += "> - " + markdown_text(warning) + "\n";
  return text + "\n";
}

std::string leakage_section_markdown(const LeakageAudit& audit) {
  std::string text = "## Leakage audit\n\n";
  const std::vector<std::string> warnings = leakage_warnings(audit);
  text += warnings.empty() ? "No leak found.\n\n" : "The leaks are listed in the warning at the top of the report.\n\n";
  return text + table_or_none(leakage_table(audit));
}

std::string notes_markdown(const std::vector<std::string>& notes) {
  std::string text;
  for (const std::string& note : notes) text += markdown_text(note) + "\n\n";
  return text;
}

// Which input set wins where, in words first (what a reader came for), then
// the tables and the chart.
std::string input_ablation_markdown(const SweepResults& results, const std::vector<ReportChart>& charts,
                                    const std::string& charts_folder) {
  const std::vector<InputAblation> ablations = input_ablations(results);
  if (ablations.empty()) return "";
  std::string text = "## Input ablation: pixels, context or both\n\n";
  for (const InputAblation& ablation : ablations) text += "- " + markdown_text(ablation.verdict) + "\n";
  text += "\n" + to_markdown(input_ablation_table(ablations)) + "\n" +
          table_or_none(input_ablation_tests_table(ablations)) + markdown_text(kInputAblationNote) + "\n\n";
  for (const ReportChart& chart : charts) {
    text += fmt::format("![{}]({}/{}.svg)\n\n", chart.title, charts_folder, chart.file_stem);
  }
  return text;
}

}  // namespace

std::string data_section_markdown(const std::vector<ReportChart>& charts, const std::string& charts_folder) {
  return chart_links("Data", charts, charts_folder);
}

std::string calibration_section_markdown(const SweepResults& results, const std::vector<ReportChart>& charts,
                                         const std::string& charts_folder) {
  if (results.groups.empty()) return "";
  std::string text = "## Calibration\n\n" + to_markdown(calibration_table(results)) + "\n";
  for (const ReportChart& chart : charts) {
    text += fmt::format("![{}]({}/{}.svg)\n\n", chart.title, charts_folder, chart.file_stem);
  }
  return text;
}

std::string report_markdown(const SweepResults& results, const LeakageAudit& audit, const ReportFigures& figures,
                            const std::string& charts_folder) {
  std::string text = fmt::format("# Sweep '{}' (id {})\n\n", results.sweep.name, results.sweep.id);
  text += leakage_warning_markdown(leakage_warnings(audit));
  text +=
      "Scores follow M19: a run's accuracy is over the pooled validation predictions of its folds; the table "
      "gives the mean and the population std over runs. \"best\" selects the epoch on the validation fold "
      "(optimistic, as the paper did), \"last\" is the final epoch.\n\n";
  text += "## Results\n\n";
  for (const TextTable& table : results_tables(results)) text += to_markdown(table) + "\n";
  for (const PaperNote& note : paper_reference_notes(results)) {
    text += markdown_text(note.text) + "\n\n";
    for (const std::string& item : note.items) text += "- " + markdown_text(item) + "\n";
    if (!note.items.empty()) text += "\n";
  }
  if (results.groups.empty()) text += "No finished training jobs yet.\n\n";
  if (const std::optional<SearchSummary> search = summarize_search(results)) {
    text += "## Search\n\n" + to_markdown(best_trials_table(*search)) + "\n" +
            notes_markdown(search_notes(*search));
    if (!search->lower_rungs.empty()) text += to_markdown(lower_rung_table(*search)) + "\n";
  }
  text += leakage_section_markdown(audit);
  text += chart_links("Accuracy per experiment", figures.accuracy, charts_folder);
  text += chart_links("Accuracy against swept parameters", figures.sweep_parameters, charts_folder);
  text += "## Paired comparisons\n\n" + table_or_none(comparisons_table(results)) +
          notes_markdown(comparisons_notes(results));
  text += input_ablation_markdown(results, figures.input_ablation, charts_folder);
  text += chart_links("Confusion matrices (best epoch, selection-biased)", figures.confusion, charts_folder);
  text += chart_links("Learning curves", figures.learning_curves, charts_folder);
  text += "## Problems\n\n" + table_or_none(unfinished_jobs_table(results));
  text += table_or_none(media_problems_table(results));
  return text;
}

}  // namespace popsweep::reports
