#include "reports/report_writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "common/error.h"
#include "common/fault_points.h"
#include "common/file_util.h"
#include "reports/calibration_report.h"
#include "reports/data_figures.h"
#include "reports/dedup_rule.h"
#include "reports/label_comparison.h"
#include "reports/leakage_audit.h"
#include "reports/pooled_results.h"
#include "reports/report_charts.h"
#include "reports/report_html.h"
#include "reports/report_markdown.h"
#include "reports/results_tables.h"
#include "reports/search_summary.h"
#include "reports/study_tables.h"
#include "reports/sweep_results.h"
#include "reports/sweep_selection.h"
#include "reports/text_table.h"

namespace popsweep::reports {
namespace {

constexpr const char* kChartsFolder = "charts";

void create_folder(const std::string& path) {
  std::error_code error;
  std::filesystem::create_directories(path, error);
  if (error) throw ConfigError("--out: cannot create " + path + ": " + error.message());
}

std::string leakage_summary(const LeakageAudit& audit) {
  if (audit.groups.empty()) return "";
  const std::vector<std::string> warnings = leakage_warnings(audit);
  std::string text;
  for (const std::string& warning : warnings) text += "WARNING: leakage: " + warning + "\n";
  int unrecorded = 0, unaudited = 0;
  for (const GroupLeakage& group : audit.groups) {
    unrecorded += group.unrecorded_jobs;
    unaudited += group.recorded() && !group.duplicates;
  }
  const bool any_recorded = std::any_of(audit.groups.begin(), audit.groups.end(),
                                       [](const GroupLeakage& group) { return group.recorded(); });
  if (warnings.empty() && any_recorded) text += "leakage audit: none found\n";
  if (unrecorded > 0) text += fmt::format("leakage audit: {} job(s) not recorded (from an earlier release)\n", unrecorded);
  if (unaudited > 0) text += fmt::format("leakage audit: duplicates not audited in {} group(s) (see report)\n", unaudited);
  return text;
}

std::string terminal_summary(const SweepResults& results, const LeakageAudit& audit,
                             const StudyTables& study) {
  std::string text = fmt::format("sweep '{}' (id {})\n", results.sweep.name, results.sweep.id);
  for (const TextTable& table : results_tables(results)) text += to_plain_text(table);
  for (const TextTable& table : study_text_tables(study)) text += to_plain_text(table);
  for (const TextTable& table : label_comparison_tables(results)) text += to_plain_text(table);
  for (const PaperNote& note : paper_reference_notes(results)) {
    text += note.text + "\n";
    for (const std::string& item : note.items) text += "  - " + item + "\n";
  }
  text += leakage_summary(audit);
  if (results.groups.empty()) text += "no finished training jobs yet\n";
  if (!results.unfinished_jobs.empty())
    text += fmt::format("{} job(s) not done\n", results.unfinished_jobs.size());
  if (!results.media_problems.empty())
    text += fmt::format("{} media skipped\n", results.media_problems.size());
  return text;
}

// The Data section goes before `marker` (the Problems section), or at the
// end when the page has no such marker.
std::string with_section(std::string page, const std::string& section, const std::string& marker,
                         const std::string& end_marker) {
  if (section.empty()) return page;
  size_t at = page.find(marker);
  if (at == std::string::npos) at = end_marker.empty() ? std::string::npos : page.rfind(end_marker);
  if (at == std::string::npos) return page + section;
  return page.insert(at, section);
}

// A section of tables in Markdown or HTML; empty without tables.
std::string tables_section(const std::string& title, const std::vector<TextTable>& tables, bool html) {
  if (tables.empty()) return "";
  std::string text = html ? "<section>\n<h2>" + title + "</h2>\n" : "## " + title + "\n\n";
  for (const TextTable& table : tables) text += (html ? to_html(table) : to_markdown(table) + "\n");
  return text + (html ? "</section>\n" : "");
}

// The Study section (study_tables.h) and the Label settings one
// (label_comparison.h); each empty where it does not apply.
std::string study_and_label_sections(const StudyTables& study, const SweepResults& results, bool html) {
  return tables_section("Study", study_text_tables(study), html) +
         tables_section("Label settings", label_comparison_tables(results), html);
}

}  // namespace

WrittenReport write_report(storage::Database& db, const std::string& sweep, const std::string& out_dir,
                           int draws) {
  return write_report(std::vector<storage::Database*>{&db}, sweep, out_dir, draws);
}

WrittenReport write_report(const std::vector<storage::Database*>& databases, const std::string& sweep,
                           const std::string& out_dir, int draws) {
  std::vector<ResultsPart> parts;
  std::vector<storage::StudyProfileRow> study_profiles;
  for (storage::Database* part_db : databases) {
    const SweepResults loaded = load_sweep_results(*part_db, select_sweep(*part_db, sweep), draws, true);
    for (storage::StudyProfileRow& row : storage::load_study_profiles(*part_db, loaded.sweep.id))
      study_profiles.push_back(std::move(row));
    // Each profile audited on its own, under its scope: duplicates never cross profiles.
    for (ResultsPart& part : split_by_profile(loaded)) {
      const std::optional<storage::ProfileRow> profile =
          part.profile_name.empty() ? std::nullopt : storage::find_profile_named(*part_db, part.profile_name);
      const storage::ProfileScope scope(profile ? profile->id : 0);
      part.audit = audit_leakage(*part_db, part.results, dedup_stage_rule(*part_db));
      if (!profile) {
        if (const std::optional<storage::ProfileRow> first = storage::find_profile(*part_db))
          part.profile_name = first->name;
      }
      parts.push_back(std::move(part));
    }
  }
  storage::Database& db = *databases.front();
  auto [results, audit] = pool_results(std::move(parts));
  // A pruned search's lower rungs trained fewer epochs: the Search section
  // lists them, no per-point table does.
  set_aside_lower_rungs(results);
  const StudyTables study = study_tables(results, study_profiles);
  const ReportFigures figures = build_report_figures(results);
  const std::vector<ReportChart> data_charts = data_figures(db, select_sweep(db, sweep).id);
  const std::vector<ReportChart> calibration_charts = reliability_charts(results);
  const std::string charts_dir = join_path(out_dir, kChartsFolder);
  create_folder(charts_dir);

  WrittenReport written;
  auto write = [&written](const std::string& path, const std::string& contents) {
    write_file_atomically(path, contents);
    written.files.push_back(path);
  };
  auto write_chart = [&written, &charts_dir](const ReportChart& chart) {
    const std::string path = join_path(charts_dir, chart.file_stem + ".svg");
    write_file_atomically(path, chart.svg);
    written.chart_files.push_back(path);
  };
  write(join_path(out_dir, "report.md"),
        with_section(report_markdown(results, audit, figures, kChartsFolder),
                     study_and_label_sections(study, results, false) +
                         calibration_section_markdown(results, calibration_charts, kChartsFolder) +
                         data_section_markdown(data_charts, kChartsFolder),
                     "## Problems\n", ""));
  fault_point("report.half_written");
  write(
      join_path(out_dir, "report.html"),
      with_section(report_html(results, audit, figures),
                   study_and_label_sections(study, results, true) +
                       calibration_section_html(results, calibration_charts) + data_section_html(data_charts),
                   "<section>\n<h2>Problems</h2>", "</body>"));
  write(join_path(out_dir, "results.csv"), results_csv(results));
  // Error texts from jobs may hold bytes that are not UTF-8; replace them
  // rather than fail the whole report.
  nlohmann::json json = results_json(results);
  json["leakage_audit"] = leakage_json(audit);
  if (!study.empty()) json["study"] = study_json(study);
  if (varies_label_keys(results)) json["label_settings"] = label_comparison_json(results);
  write(join_path(out_dir, "results.json"), json.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  for (const ReportChart* chart : figures.all()) write_chart(*chart);
  for (const ReportChart& chart : data_charts) write_chart(chart);
  for (const ReportChart& chart : calibration_charts) write_chart(chart);
  written.summary = terminal_summary(results, audit, study);
  return written;
}

}  // namespace popsweep::reports
