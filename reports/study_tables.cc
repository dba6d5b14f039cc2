#include "reports/study_tables.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "reports/results_tables.h"

namespace popsweep::reports {
namespace {

constexpr const char* kProfileKey = "profile";

using RowKey = std::tuple<std::string, int, std::string>;  // point without profile, classes, experiment

double sample_std(const std::vector<double>& values) {
  if (values.size() < 2) return 0;
  double mean = 0;
  for (const double v : values) mean += v;
  mean /= static_cast<double>(values.size());
  double squares = 0;
  for (const double v : values) squares += (v - mean) * (v - mean);
  return std::sqrt(squares / static_cast<double>(values.size() - 1));
}

void fill_pooled(StudyRow& row) {
  std::vector<double> values;
  for (const StudyCell& cell : row.profiles) values.push_back(cell.accuracy);
  double sum = 0;
  for (const double v : values) sum += v;
  row.pooled_mean = sum / static_cast<double>(values.size());
  row.pooled_std = sample_std(values);
  row.pooled_min = *std::min_element(values.begin(), values.end());
  row.pooled_max = *std::max_element(values.begin(), values.end());
}

void add_comparisons(StudyTables& study) {
  for (std::size_t i = 0; i < study.rows.size(); ++i) {
    for (std::size_t j = i + 1; j < study.rows.size(); ++j) {
      const StudyRow& first = study.rows[i];
      const StudyRow& second = study.rows[j];
      if (first.point != second.point || first.classes != second.classes) continue;
      std::map<std::string, double> second_accuracy;
      for (const StudyCell& cell : second.profiles) second_accuracy[cell.profile] = cell.accuracy;
      std::vector<double> differences;
      for (const StudyCell& cell : first.profiles) {
        const auto other = second_accuracy.find(cell.profile);
        if (other != second_accuracy.end()) differences.push_back(cell.accuracy - other->second);
      }
      if (differences.empty()) continue;
      study.comparisons.push_back({first.point, first.classes, first.experiment, second.experiment,
                                   static_cast<int>(differences.size()),
                                   corrected_resampled_t_test(differences, 0.0)});
    }
  }
}

std::string format_accuracy(double mean, double std) { return fmt::format("{:.3f} ± {:.3f}", mean, std); }

}  // namespace

StudyTables study_tables(const SweepResults& results, const std::vector<storage::StudyProfileRow>& profiles) {
  StudyTables study;
  for (const storage::StudyProfileRow& profile : profiles) {
    if (!profile.failure.empty()) study.failed.push_back(profile);
  }
  std::map<RowKey, StudyRow> rows;
  std::vector<RowKey> order;
  for (const ResultGroup& group : results.groups) {
    nlohmann::json point = nlohmann::json::parse(group.point, nullptr, false);
    if (!point.is_object() || !point.contains(kProfileKey)) continue;
    const std::string profile = point.at(kProfileKey).get<std::string>();
    point.erase(kProfileKey);
    const RowKey key{point.dump(), group.classes, group.experiment};
    auto [found, added] = rows.try_emplace(key);
    if (added) {
      found->second.point = point.dump();
      found->second.experiment = group.experiment;
      found->second.classes = group.classes;
      order.push_back(key);
    }
    StudyCell cell{profile, group.best.accuracy.mean, group.best.accuracy.std, std::nullopt};
    if (group.best.majority_baseline) cell.majority_baseline = group.best.majority_baseline->mean;
    found->second.profiles.push_back(cell);
  }
  // Rows in the order of the report's groups (point, experiment, classes);
  // profiles by name, so pooled databases read the same in any order.
  std::stable_sort(order.begin(), order.end(), [](const RowKey& a, const RowKey& b) {
    if (std::get<0>(a) != std::get<0>(b)) return std::get<0>(a) < std::get<0>(b);
    if (std::get<2>(a) != std::get<2>(b)) return experiment_before(std::get<2>(a), std::get<2>(b));
    return std::get<1>(a) > std::get<1>(b);
  });
  for (const RowKey& key : order) {
    StudyRow row = rows.at(key);
    std::sort(row.profiles.begin(), row.profiles.end(),
              [](const StudyCell& a, const StudyCell& b) { return a.profile < b.profile; });
    fill_pooled(row);
    study.rows.push_back(std::move(row));
  }
  add_comparisons(study);
  return study;
}

std::vector<TextTable> study_text_tables(const StudyTables& study) {
  std::vector<TextTable> tables;
  if (!study.rows.empty()) {
    TextTable table;
    table.caption =
        "Study: best-epoch accuracy per profile (mean ± std over repeats) and pooled across profiles (mean ± "
        "sample std of the profiles' accuracies, min-max)";
    table.header = {"point", "experiment", "classes", "profile", "best accuracy", "majority baseline"};
    for (const StudyRow& row : study.rows) {
      const std::string point = describe_point(row.point);
      for (const StudyCell& cell : row.profiles) {
        table.rows.push_back({point, row.experiment, std::to_string(row.classes), cell.profile,
                              format_accuracy(cell.accuracy, cell.accuracy_std),
                              cell.majority_baseline ? fmt::format("{:.3f}", *cell.majority_baseline) : "-"});
      }
      table.rows.push_back({point, row.experiment, std::to_string(row.classes), "pooled",
                            format_accuracy(row.pooled_mean, row.pooled_std) +
                                fmt::format(" ({:.3f}-{:.3f}, {} profiles)", row.pooled_min, row.pooled_max,
                                            row.profiles.size()),
                            "-"});
    }
    tables.push_back(std::move(table));
  }
  if (!study.comparisons.empty()) {
    TextTable table;
    table.caption =
        "Study: experiments compared across profiles (paired t-test over the profiles' best-epoch "
        "accuracies; "
        "each profile is an independent data set)";
    table.header = {"point", "classes", "first", "second", "profiles", "mean difference", "t", "p"};
    for (const StudyComparison& c : study.comparisons) {
      table.rows.push_back(
          {describe_point(c.point), std::to_string(c.classes), c.first, c.second, std::to_string(c.profiles),
           fmt::format("{:+.3f}", c.t_test.mean_difference),
           c.t_test.t_statistic ? fmt::format("{:.2f}", *c.t_test.t_statistic) : "-",
           c.t_test.p_value ? format_p_value(*c.t_test.p_value) : c.t_test.undefined_because});
    }
    tables.push_back(std::move(table));
  }
  if (!study.failed.empty()) {
    TextTable table;
    table.caption = "Study: profiles that failed (the other profiles ran)";
    table.header = {"profile", "folder", "why"};
    for (const storage::StudyProfileRow& row : study.failed)
      table.rows.push_back({row.name, row.directory, row.failure});
    tables.push_back(std::move(table));
  }
  return tables;
}

nlohmann::json study_json(const StudyTables& study) {
  nlohmann::json rows = nlohmann::json::array();
  for (const StudyRow& row : study.rows) {
    nlohmann::json profiles = nlohmann::json::array();
    for (const StudyCell& cell : row.profiles) {
      profiles.push_back(
          {{"profile", cell.profile},
           {"accuracy_best", cell.accuracy},
           {"accuracy_best_std", cell.accuracy_std},
           {"majority_baseline",
            cell.majority_baseline ? nlohmann::json(*cell.majority_baseline) : nlohmann::json(nullptr)}});
    }
    rows.push_back({{"point", nlohmann::json::parse(row.point)},
                    {"experiment", row.experiment},
                    {"classes", row.classes},
                    {"profiles", profiles},
                    {"pooled",
                     {{"mean", row.pooled_mean},
                      {"std", row.pooled_std},
                      {"min", row.pooled_min},
                      {"max", row.pooled_max},
                      {"profiles", row.profiles.size()}}}});
  }
  nlohmann::json comparisons = nlohmann::json::array();
  for (const StudyComparison& c : study.comparisons) {
    comparisons.push_back(
        {{"point", nlohmann::json::parse(c.point)},
         {"classes", c.classes},
         {"first", c.first},
         {"second", c.second},
         {"profiles", c.profiles},
         {"mean_difference", c.t_test.mean_difference},
         {"t", c.t_test.t_statistic ? nlohmann::json(*c.t_test.t_statistic) : nlohmann::json(nullptr)},
         {"p_value", c.t_test.p_value ? nlohmann::json(*c.t_test.p_value) : nlohmann::json(nullptr)},
         {"test", "paired t-test over profiles"}});
  }
  nlohmann::json failed = nlohmann::json::array();
  for (const storage::StudyProfileRow& row : study.failed)
    failed.push_back({{"profile", row.name}, {"folder", row.directory}, {"failure", row.failure}});
  return {{"rows", rows}, {"comparisons", comparisons}, {"failed_profiles", failed}};
}

}  // namespace popsweep::reports
