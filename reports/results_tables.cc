#include "reports/results_tables.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "common/csv.h"
#include "reports/calibration_report.h"
#include "storage/job_tables.h"

namespace popsweep::reports {
namespace {

constexpr const char* kMissing = "-";

// The groups of one sweep point, by experiment then classes.
using PointGroups = std::map<std::string, std::map<int, const ResultGroup*>>;

std::map<std::string, PointGroups> groups_by_point(const SweepResults& results) {
  std::map<std::string, PointGroups> by_point;
  for (const ResultGroup& group : results.groups)
    by_point[group.point][group.experiment][group.classes] = &group;
  return by_point;
}

std::vector<std::string> experiments_in_paper_order(const PointGroups& groups) {
  std::vector<std::string> experiments;
  for (const auto& entry : groups) experiments.push_back(entry.first);
  std::sort(experiments.begin(), experiments.end(), experiment_before);
  return experiments;
}

std::set<int, std::greater<int>> classes_of(const PointGroups& groups) {
  std::set<int, std::greater<int>> classes;
  for (const auto& entry : groups) {
    for (const auto& by_classes : entry.second) classes.insert(by_classes.first);
  }
  return classes;
}

bool any_top_k(const PointGroups& groups, int classes) {
  for (const auto& entry : groups) {
    const auto found = entry.second.find(classes);
    if (found != entry.second.end() && found->second->best.top_k_accuracy) return true;
  }
  return false;
}

// "0.54", or "0.54 (top-2 0.85)" where the paper published one.
std::string paper_cell(const std::string& experiment, int classes) {
  const std::optional<double> accuracy = paper_accuracy(experiment, classes);
  if (!accuracy) return kMissing;
  const std::optional<double> top2 = paper_top2_accuracy(experiment, classes);
  return top2 ? fmt::format("{:.2f} (top-2 {:.2f})", *accuracy, *top2) : fmt::format("{:.2f}", *accuracy);
}

// "0.540 ± 0.012 [0.51, 0.57]": the mean ± std over runs, and the 95%
// bootstrap interval over posts.
std::string cell_with_interval(const train::MeanAndStd& value, const std::optional<Interval>& interval) {
  if (!interval || std::isnan(interval->low)) return format_mean_and_std(value);
  return format_mean_and_std(value) + " " + format_interval(*interval);
}

std::string optional_cell(const std::optional<train::MeanAndStd>& value,
                          const std::optional<Interval>& interval) {
  return value ? cell_with_interval(*value, interval) : kMissing;
}

TextTable point_table(const std::string& point, const PointGroups& groups, bool paper_column) {
  TextTable table;
  const std::string where = describe_point(point);
  int resamples = 0, permutations = 0;  // as the groups were scored (all alike)
  for (const auto& [experiment, by_classes] : groups) {
    for (const auto& [k, group] : by_classes) resamples = group->uncertainty.resamples, permutations = group->uncertainty.permutations;
  }
  table.caption = "Accuracy, mean ± std over runs (M19) [" + uncertainty_statement(resamples, permutations) + "]" +
                  (where.empty() ? "" : ": " + where);
  table.header.push_back("experiment");
  const std::set<int, std::greater<int>> classes = classes_of(groups);
  for (const int k : classes) {
    table.header.push_back(fmt::format("{} classes best (selection-biased)", k));
    if (paper_column) table.header.push_back(fmt::format("{} classes paper (reference)", k));
    table.header.push_back(fmt::format("{} classes last", k));
    table.header.push_back(fmt::format("{} classes p (last vs chance)", k));
    if (any_top_k(groups, k)) table.header.push_back(fmt::format("{} classes top-2 (selection-biased)", k));
    table.header.push_back(fmt::format("{} classes majority", k));
  }
  for (const std::string& experiment : experiments_in_paper_order(groups)) {
    std::vector<std::string> row{experiment};
    const std::map<int, const ResultGroup*>& by_classes = groups.at(experiment);
    for (const int k : classes) {
      const auto found = by_classes.find(k);
      const ResultGroup* group = found == by_classes.end() ? nullptr : found->second;
      // A group built without its predictions (resamples 0) has no interval.
      const GroupUncertainty* u = group && group->uncertainty.resamples > 0 ? &group->uncertainty : nullptr;
      auto interval = [u](std::optional<Interval> GroupUncertainty::*member) {
        return u ? u->*member : std::nullopt;
      };
      row.push_back(
          group ? cell_with_interval(group->best.accuracy, u ? std::optional(u->accuracy_best) : std::nullopt)
                : kMissing);
      if (paper_column) row.push_back(paper_cell(experiment, k));
      row.push_back(
          group ? cell_with_interval(group->last.accuracy, u ? std::optional(u->accuracy_last) : std::nullopt)
                : kMissing);
      row.push_back(u ? format_p_value(u->p_value_last) : kMissing);
      if (any_top_k(groups, k))
        row.push_back(group
                          ? optional_cell(group->best.top_k_accuracy, interval(&GroupUncertainty::top2_best))
                          : kMissing);
      row.push_back(
          group ? optional_cell(group->best.majority_baseline, interval(&GroupUncertainty::majority_baseline))
                : kMissing);
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

std::string csv_number(double value) { return std::isnan(value) ? "" : fmt::format("{}", value); }

// Best-epoch metrics chose their epoch on the validation fold they are
// scored on; the CSV says so on every such row.
void write_metric(std::ostream& out, const ResultGroup& group, const std::string& metric,
                  const std::optional<train::MeanAndStd>& value, const std::optional<Interval>& interval,
                  bool selection_biased, const std::optional<double>& p_value = std::nullopt) {
  if (!value) return;
  write_csv_row(out, {group.point, group.experiment, std::to_string(group.classes), metric,
                      fmt::format("{}", value->mean), fmt::format("{}", value->std),
                      std::to_string(group.best.runs.size()), interval ? csv_number(interval->low) : "",
                      interval ? csv_number(interval->high) : "", selection_biased ? "true" : "false",
                      p_value ? fmt::format("{}", *p_value) : ""});
}

nlohmann::json interval_json(const std::optional<Interval>& interval) {
  if (!interval || std::isnan(interval->low)) return nullptr;
  return nlohmann::json::array({interval->low, interval->high});
}

nlohmann::json uncertainty_json(const GroupUncertainty& u) {
  return {{"interval_level", kIntervalLevel},
          {"bootstrap", "posts with replacement, pooled out-of-fold predictions, mean over repeats"},
          {"resamples", u.resamples},
          {"permutations", u.permutations},
          {"seed", u.seed},
          {"posts", u.posts},
          {"accuracy_best_interval", interval_json(u.accuracy_best)},
          {"accuracy_last_interval", interval_json(u.accuracy_last)},
          {"top2_best_interval", interval_json(u.top2_best)},
          {"top2_last_interval", interval_json(u.top2_last)},
          {"majority_baseline_interval", interval_json(u.majority_baseline)},
          {"p_value_last_vs_chance", u.p_value_last},
          {"selection_biased", {"best_epoch", "accuracy_best_interval", "top2_best_interval"}}};
}

nlohmann::json mean_and_std_json(const train::MeanAndStd& value) {
  return {{"mean", value.mean}, {"std", value.std}};
}

nlohmann::json score_json(const train::ExperimentScore& score) {
  nlohmann::json json{{"accuracy", mean_and_std_json(score.accuracy)}};
  if (score.top_k_accuracy) json["top2_accuracy"] = mean_and_std_json(*score.top_k_accuracy);
  if (score.majority_baseline) json["majority_baseline"] = mean_and_std_json(*score.majority_baseline);
  nlohmann::json runs = nlohmann::json::array();
  for (const train::RunScore& run : score.runs) {
    runs.push_back(
        {{"repeat", run.repeat}, {"folds", run.folds}, {"items", run.items}, {"accuracy", run.accuracy}});
  }
  json["runs"] = runs;
  nlohmann::json confusion = nlohmann::json::array();
  for (const train::MeanAndStd& cell : score.confusion) confusion.push_back(mean_and_std_json(cell));
  json["confusion_row_normalised"] = confusion;  // row-major, classes x classes
  return json;
}

nlohmann::json point_json(const std::string& point) {
  nlohmann::json parsed = nlohmann::json::parse(point, nullptr, false);
  return parsed.is_discarded() ? nlohmann::json(point) : parsed;
}

}  // namespace

std::string format_mean_and_std(const train::MeanAndStd& value) {
  return fmt::format("{:.3f} ± {:.3f}", value.mean, value.std);
}

std::string format_interval(const Interval& interval) {
  return fmt::format("[{:.3f}, {:.3f}]", interval.low, interval.high);
}

std::string format_p_value(double p) { return p < 0.001 ? "< 0.001" : fmt::format("{:.3f}", p); }

std::string uncertainty_statement(int resamples, int permutations) {
  if (resamples <= 0) return "no intervals or p-values (report --resamples 0)";
  return fmt::format(
      "95% bootstrap interval over posts, {} resamples, seed {}; p: permutation test of the "
      "last-epoch accuracy against chance, labels shuffled within validation folds, {} "
      "permutations; best-epoch columns are selection-biased: the epoch was chosen on the "
      "fold it is scored on",
      resamples, kUncertaintySeed, permutations);
}

std::string describe_point(const std::string& point) {
  const nlohmann::json parsed = nlohmann::json::parse(point, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return point;
  std::string text;
  for (const auto& [key, value] : parsed.items()) {
    text += (text.empty() ? "" : ", ") + key + "=" +
            (value.is_string() ? value.get<std::string>() : value.dump());
  }
  return text;
}

std::vector<TextTable> results_tables(const SweepResults& results) {
  std::vector<TextTable> tables;
  for (const auto& [point, groups] : groups_by_point(results)) {
    const auto reference = results.paper_by_point.find(point);
    tables.push_back(point_table(point, groups, reference != results.paper_by_point.end() && reference->second.shown));
  }
  return tables;
}

std::string results_csv(const SweepResults& results) {
  std::ostringstream out;
  write_csv_row(out, {"point", "experiment", "classes", "metric", "mean", "std", "runs", "ci95_low",
                      "ci95_high", "selection_biased", "p_value_vs_chance"});
  for (const ResultGroup& group : results.groups) {
    const GroupUncertainty& u = group.uncertainty;
    write_metric(out, group, "accuracy_best", group.best.accuracy, u.accuracy_best, true);
    write_metric(out, group, "accuracy_last", group.last.accuracy, u.accuracy_last, false, u.p_value_last);
    write_metric(out, group, "top2_best", group.best.top_k_accuracy, u.top2_best, true);
    write_metric(out, group, "top2_last", group.last.top_k_accuracy, u.top2_last, false);
    write_metric(out, group, "majority_baseline", group.best.majority_baseline, u.majority_baseline, false);
  }
  return out.str();
}

nlohmann::json results_json(const SweepResults& results) {
  nlohmann::json groups = nlohmann::json::array();
  for (const ResultGroup& group : results.groups) {
    nlohmann::json json{{"point", point_json(group.point)},
                        {"experiment", group.experiment},
                        {"classes", group.classes},
                        {"split", group.split},
                        {"folds", group.folds},
                        {"jobs", group.jobs.size()},
                        {"best_epoch", score_json(group.best)},
                        {"last_epoch", score_json(group.last)},
                        {"uncertainty", uncertainty_json(group.uncertainty)},
                        {"calibration", calibration_json(group)}};
    const auto reference = results.paper_by_point.find(group.point);
    if (reference != results.paper_by_point.end() && reference->second.shown) {
      json["paper_reference_accuracy"] = *paper_accuracy(group.experiment, group.classes);
    }
    groups.push_back(json);
  }
  nlohmann::json comparisons = nlohmann::json::array();
  for (const ExperimentComparison& c : results.comparisons) {
    nlohmann::json comparison{{"point", point_json(c.point)}, {"classes", c.classes},
                              {"split", c.split},         {"first", c.first},
                              {"second", c.second},       {"splits", c.splits},
                              {"items", c.items},         {"mean_difference", c.mean_difference}};
    if (c.t_test) {
      comparison["test"] = "corrected resampled t-test";
      // null where the test is undefined (statistics.h), with the reason.
      comparison["t"] = c.t_test->t_statistic ? nlohmann::json(*c.t_test->t_statistic) : nlohmann::json();
      comparison["degrees_of_freedom"] = c.t_test->degrees_of_freedom;
      comparison["p_value"] = c.t_test->p_value ? nlohmann::json(*c.t_test->p_value) : nlohmann::json();
      if (!c.t_test->p_value) comparison["p_value_undefined_because"] = c.t_test->undefined_because;
    }
    if (c.sign_test) {
      comparison["test"] = "exact sign test";
      comparison["first_better"] = c.sign_test->first_better;
      comparison["second_better"] = c.sign_test->second_better;
      comparison["ties"] = c.sign_test->ties;
      comparison["p_value"] = c.sign_test->p_value;
    }
    comparisons.push_back(comparison);
  }
  nlohmann::json unfinished = nlohmann::json::array();
  for (const storage::JobRow& job : results.unfinished_jobs) {
    unfinished.push_back({{"job_id", job.id},
                          {"stage", job.stage},
                          {"status", storage::to_string(job.status)},
                          {"attempts", job.attempts},
                          {"error", job.error}});
  }
  return {{"sweep", {{"id", results.sweep.id}, {"name", results.sweep.name}}},
          {"groups", groups},
          {"comparisons", comparisons},
          {"unfinished_jobs", unfinished},
          {"media_problems", results.media_problems.size()}};
}

}  // namespace popsweep::reports
