#include "reports/report_html.h"

#include <fmt/format.h>

#include "reports/data_figures.h"
#include "reports/detail_tables.h"
#include "reports/results_tables.h"
#include "reports/svg_canvas.h"

namespace popsweep::reports {
namespace {

constexpr const char* kStyle = R"(
body { font-family: sans-serif; margin: 2em auto; max-width: 1400px; color: #222; }
h1, h2 { font-weight: 600; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
caption { text-align: left; font-weight: 600; padding-bottom: 0.4em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; }
th { background: #f2f2f2; }
tbody tr:nth-child(even) { background: #fafafa; }
.charts { display: flex; flex-wrap: wrap; gap: 1em; }
figure { margin: 0; }
p.note { color: #555; max-width: 60em; }
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

std::string results_section(const SweepResults& results) {
  std::string body =
      "<p class=\"note\">Scores follow M19: a run's accuracy is over the pooled validation predictions of "
      "its "
      "folds; cells give the mean and the population std over runs. &quot;best&quot; selects the epoch on "
      "the "
      "validation fold (optimistic, as the paper did), &quot;last&quot; is the final epoch.</p>\n";
  for (const TextTable& table : results_tables(results)) body += to_html(table);
  if (results.groups.empty()) body += "<p>No finished training jobs yet.</p>\n";
  return section("Results", body);
}

}  // namespace

std::string data_section_html(const std::vector<ReportChart>& charts) {
  return chart_section("Data", charts);
}

std::string report_html(const SweepResults& results, const ReportFigures& figures) {
  const std::string title = fmt::format("Sweep '{}' (id {})", results.sweep.name, results.sweep.id);
  std::string html = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  html += "<title>" + escape_xml(title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
  html += "<h1>" + escape_xml(title) + "</h1>\n";
  html += results_section(results);
  html += chart_section("Accuracy per experiment", figures.accuracy);
  html += chart_section("Accuracy against swept parameters", figures.sweep_parameters);
  html += section("Paired comparisons", table_or_none(comparisons_table(results)));
  html +=
      chart_section("Confusion matrices (best epoch, row-normalised, mean±std over runs)", figures.confusion);
  html += chart_section("Learning curves (mean ± std over jobs)", figures.learning_curves);
  html += section("Problems", table_or_none(unfinished_jobs_table(results)) +
                                  table_or_none(media_problems_table(results)));
  return html + "</body>\n</html>\n";
}

}  // namespace popsweep::reports
