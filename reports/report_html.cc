#include "reports/report_html.h"

#include <fmt/format.h>

#include "reports/calibration_report.h"
#include "reports/data_figures.h"
#include "reports/detail_tables.h"
#include "reports/input_ablation.h"
#include "reports/results_tables.h"
#include "reports/search_summary.h"
#include "reports/svg_canvas.h"

namespace popsweep::reports {
namespace {

constexpr const char* kStyle = R"(
body { font-family: sans-serif; margin: 2em auto; padding: 0 1em; max-width: 1400px; color: #222; }
h1, h2 { font-weight: 600; overflow-wrap: anywhere; }
.table-scroll { overflow-x: auto; max-width: 100%; margin: 0 0 1em 0; }
table { border-collapse: collapse; font-size: 0.9em; }
p.caption { font-weight: 600; margin: 1em 0 0.4em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; white-space: nowrap; }
td.long { white-space: normal; min-width: 16em; }
th { background: #f2f2f2; }
tbody tr:nth-child(even) { background: #fafafa; }
.charts { display: flex; flex-wrap: wrap; gap: 1em; }
figure { margin: 0; min-width: 0; max-width: 100%; }
svg { max-width: 100%; height: auto; }
p.note, ul.note { color: #555; max-width: 60em; }
.warning { border-left: 0.4em solid #c0392b; background: #fdecea; padding: 0.6em 1em; margin: 1em 0; max-width: 60em; }
.warning ul { margin: 0.4em 0 0 0; padding-left: 1.2em; }
)";

std::string section(const std::string& heading, const std::string& body) {
  return "<section>\n<h2>" + escape_xml(heading) + "</h2>\n" + body + "</section>\n";
}

std::string table_or_none(const TextTable& table) {
  if (table.rows.empty()) return "<p>" + escape_xml(table.caption) + ": none.</p>\n";
  return to_html(table);
}

// The SVG comes from our chart code, which escapes its own text.
std::string chart_section(const std::string& heading, const std::vector<ReportChart>& charts) {
  if (charts.empty()) return "";
  std::string body = "<div class=\"charts\">\n";
  for (const ReportChart& chart : charts) body += "<figure>\n" + chart.svg + "</figure>\n";
  return section(heading, body + "</div>\n");
}

std::string paragraphs(const std::vector<std::string>& notes) {
  std::string html;
  for (const std::string& note : notes) html += "<p class=\"note\">" + escape_xml(note) + "</p>\n";
  return html;
}

std::string leakage_warning_html(const std::vector<std::string>& warnings) {
  if (warnings.empty()) return "";
  std::string html =
      "<div class=\"warning\" role=\"alert\"><strong>Warning: leakage.</strong> Some validation items had part "
      "of themselves in their own job's training set, so their accuracies are optimistic (see the "
      "<a href=\"#leakage-audit\">leakage audit</a>):\n<ul>\n";
  for (const std::string& warning : warnings) html += "<li>" + escape_xml(warning) + "</li>\n";
  return html + "</ul></div>\n";
}

std::string leakage_section(const LeakageAudit& audit) {
  const std::vector<std::string> warnings = leakage_warnings(audit);
  std::string body = warnings.empty() ? "<p>No leak found.</p>\n"
                                      : "<p>The leaks are listed in the warning at the top of the report.</p>\n";
  body += table_or_none(leakage_table(audit));
  return "<section id=\"leakage-audit\">\n<h2>Leakage audit</h2>\n" + body + "</section>\n";
}

std::string results_section(const SweepResults& results) {
  std::string body =
      "<p class=\"note\">Scores follow M19: a run's accuracy is over the pooled validation predictions of "
      "its "
      "folds; cells give the mean and the population std over runs. &quot;best&quot; selects the epoch on "
      "the "
      "validation fold (optimistic, as the paper did), &quot;last&quot; is the final epoch.</p>\n";
  for (const TextTable& table : results_tables(results)) body += to_html(table);
  for (const PaperNote& note : paper_reference_notes(results)) {
    body += "<p class=\"note\">" + escape_xml(note.text) + "</p>\n";
    if (note.items.empty()) continue;
    body += "<ul class=\"note\">\n";
    for (const std::string& item : note.items) body += "<li>" + escape_xml(item) + "</li>\n";
    body += "</ul>\n";
  }
  if (results.groups.empty()) body += "<p>No finished training jobs yet.</p>\n";
  return section("Results", body);
}

std::string input_ablation_section(const SweepResults& results, const std::vector<ReportChart>& charts) {
  const std::vector<InputAblation> ablations = input_ablations(results);
  if (ablations.empty()) return "";
  std::string body = "<ul>\n";
  for (const InputAblation& ablation : ablations) body += "<li>" + escape_xml(ablation.verdict) + "</li>\n";
  body += "</ul>\n" + to_html(input_ablation_table(ablations)) + table_or_none(input_ablation_tests_table(ablations)) +
          paragraphs({kInputAblationNote}) + "<div class=\"charts\">\n";
  for (const ReportChart& chart : charts) body += "<figure>\n" + chart.svg + "</figure>\n";
  return section("Input ablation: pixels, context or both", body + "</div>\n");
}

}  // namespace

std::string data_section_html(const std::vector<ReportChart>& charts) {
  return chart_section("Data", charts);
}

std::string calibration_section_html(const SweepResults& results, const std::vector<ReportChart>& charts) {
  if (results.groups.empty()) return "";
  std::string body = to_html(calibration_table(results)) + "<div class=\"charts\">\n";
  for (const ReportChart& chart : charts) body += "<figure>\n" + chart.svg + "</figure>\n";
  return section("Calibration", body + "</div>\n");
}

std::string report_html(const SweepResults& results, const LeakageAudit& audit, const ReportFigures& figures) {
  const std::string title = fmt::format("Sweep '{}' (id {})", results.sweep.name, results.sweep.id);
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  html += "<title>" + escape_xml(title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
  html += "<h1>" + escape_xml(title) + "</h1>\n";
  html += leakage_warning_html(leakage_warnings(audit));
  html += results_section(results);
  if (const std::optional<SearchSummary> search = summarize_search(results)) {
    html += section("Search", to_html(best_trials_table(*search)) + paragraphs(search_notes(*search)) +
                                  (search->lower_rungs.empty() ? "" : to_html(lower_rung_table(*search))));
  }
  html += leakage_section(audit);
  html += chart_section("Accuracy per experiment", figures.accuracy);
  html += chart_section("Accuracy against swept parameters", figures.sweep_parameters);
  html += section("Paired comparisons", table_or_none(comparisons_table(results)) + paragraphs(comparisons_notes(results)));
  html += input_ablation_section(results, figures.input_ablation);
  html +=
      chart_section("Confusion matrices (best epoch, selection-biased; row-normalised, mean±std over runs)",
                    figures.confusion);
  html += chart_section("Learning curves (mean ± std over jobs)", figures.learning_curves);
  html += section("Problems", table_or_none(unfinished_jobs_table(results)) +
                                  table_or_none(media_problems_table(results)));
  return html + "</body>\n</html>\n";
}

}  // namespace popsweep::reports
