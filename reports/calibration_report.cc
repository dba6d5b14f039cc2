#include "reports/calibration_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "reports/charts.h"
#include "reports/results_tables.h"

namespace popsweep::reports {
namespace {

std::string file_safe(const std::string& text) {
  std::string safe;
  for (const char c : text) safe += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return safe;
}

Series reliability_series(const std::string& name, const CalibrationSummary& summary) {
  Series series{name, {}, {}, {}};
  for (const ReliabilityBin& bin : summary.bins) {
    if (bin.items == 0) continue;  // an empty bin has no accuracy to draw
    series.x.push_back(bin.mean_confidence);
    series.y.push_back(bin.accuracy);
  }
  return series;
}

nlohmann::json summary_json(const CalibrationSummary& summary) {
  nlohmann::json bins = nlohmann::json::array();
  for (const ReliabilityBin& bin : summary.bins) {
    bins.push_back({{"from", bin.from},
                    {"to", bin.to},
                    {"items", bin.items},
                    {"mean_confidence", bin.mean_confidence},
                    {"accuracy", bin.accuracy}});
  }
  return {{"items", summary.items},
          {"expected_calibration_error", summary.expected_calibration_error},
          {"brier", summary.brier},
          {"bins", bins}};
}

}  // namespace

TextTable calibration_table(const SweepResults& results) {
  TextTable table;
  table.caption = fmt::format(
      "Calibration of the pooled out-of-fold probabilities: ECE over {} equal-width bins of the top-class "
      "probability, multi-class Brier score (0 best, 2 worst)",
      kReliabilityBins);
  table.header = {"point",
                  "experiment",
                  "classes",
                  "items",
                  "ECE best (selection-biased)",
                  "ECE last",
                  "Brier best (selection-biased)",
                  "Brier last"};
  const bool any_tempered = std::any_of(results.groups.begin(), results.groups.end(),
                                        [](const ResultGroup& group) { return group.tempered.has_value(); });
  if (any_tempered) {
    table.caption +=
        "; temperature: each fold's temperature fitted on the other folds' out-of-fold predictions";
    for (const char* column : {"ECE last, temperature", "Brier last, temperature", "accuracy last change"})
      table.header.push_back(column);
  }
  for (const ResultGroup& group : results.groups) {
    const std::string where = describe_point(group.point);
    std::vector<std::string> row{where.empty() ? "-" : where,
                                 group.experiment,
                                 std::to_string(group.classes),
                                 std::to_string(group.calibration_last.items),
                                 fmt::format("{:.3f}", group.calibration_best.expected_calibration_error),
                                 fmt::format("{:.3f}", group.calibration_last.expected_calibration_error),
                                 fmt::format("{:.3f}", group.calibration_best.brier),
                                 fmt::format("{:.3f}", group.calibration_last.brier)};
    if (any_tempered && group.tempered) {
      row.push_back(fmt::format("{:.3f}", group.tempered->last.expected_calibration_error));
      row.push_back(fmt::format("{:.3f}", group.tempered->last.brier));
      row.push_back(fmt::format("{:+.4f}", group.tempered->accuracy_last.mean - group.last.accuracy.mean));
    } else if (any_tempered) {
      row.insert(row.end(), 3, "-");
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

std::vector<ReportChart> reliability_charts(const SweepResults& results) {
  std::vector<ReportChart> charts;
  for (std::size_t index = 0; index < results.groups.size(); ++index) {
    const ResultGroup& group = results.groups[index];
    const std::string where = describe_point(group.point);
    const std::string title = fmt::format("Reliability, {}, {} classes{}", group.experiment, group.classes,
                                          where.empty() ? "" : " (" + where + ")");
    std::vector<Series> series{Series{"perfect", {0, 1}, {0, 1}, {}},
                               reliability_series("best (biased)", group.calibration_best),
                               reliability_series("last epoch", group.calibration_last)};
    if (group.tempered) series.push_back(reliability_series("last, tempered", group.tempered->last));
    charts.push_back(
        {fmt::format("reliability_{:03}_{}_{}", index, file_safe(group.experiment), group.classes), title,
         line_chart({title, "confidence (top-class probability)", "accuracy"}, series)});
  }
  return charts;
}

nlohmann::json calibration_json(const ResultGroup& group) {
  nlohmann::json json{{"bins", kReliabilityBins},
                      {"setting", group.calibration},
                      {"best_epoch", summary_json(group.calibration_best)},
                      {"last_epoch", summary_json(group.calibration_last)}};
  if (group.tempered) {
    const TemperedCalibration& t = *group.tempered;
    json["temperature"] = {
        {"fitted_on", "each fold: the out-of-fold predictions of the other folds of its repeat"},
        {"temperatures_best", t.temperatures_best},
        {"temperatures_last", t.temperatures_last},
        {"best_epoch", summary_json(t.best)},
        {"last_epoch", summary_json(t.last)},
        {"accuracy_best", {{"mean", t.accuracy_best.mean}, {"std", t.accuracy_best.std}}},
        {"accuracy_last", {{"mean", t.accuracy_last.mean}, {"std", t.accuracy_last.std}}}};
  }
  return json;
}

}  // namespace popsweep::reports
