#include "reports/label_comparison.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "reports/results_tables.h"

namespace popsweep::reports {
namespace {

// The labels.* values of a point, as JSON text ("{}" when none).
std::string label_values(const std::string& point) {
  const nlohmann::json values = nlohmann::json::parse(point, nullptr, false);
  nlohmann::json labels = nlohmann::json::object();
  if (values.is_object()) {
    for (const auto& [key, value] : values.items()) {
      if (key.rfind("labels.", 0) == 0) labels[key] = value;
    }
  }
  return labels.dump();
}

std::optional<train::MeanAndStd> kappa_over_runs(const ResultGroup& group) {
  std::map<int, std::pair<std::vector<int>, std::vector<int>>> by_repeat;  // repeat -> (truth, predicted)
  for (const TrainedJob& job : group.jobs) {
    auto& [truth, predicted] = by_repeat[job.result.repeat];
    const std::vector<int> guesses = train::predicted_classes(job.best.probabilities);
    truth.insert(truth.end(), job.best.true_classes.begin(), job.best.true_classes.end());
    predicted.insert(predicted.end(), guesses.begin(), guesses.end());
  }
  std::vector<double> runs;
  for (const auto& [repeat, pair] : by_repeat) {
    const std::optional<double> kappa = cohen_kappa(pair.first, pair.second, group.classes);
    if (!kappa) return std::nullopt;
    runs.push_back(*kappa);
  }
  if (runs.empty()) return std::nullopt;
  return train::mean_and_population_std(runs);
}

}  // namespace

std::optional<double> cohen_kappa(const std::vector<int>& truth, const std::vector<int>& predicted,
                                  int classes) {
  if (truth.empty() || truth.size() != predicted.size() || classes < 1) return std::nullopt;
  std::vector<double> true_share(classes, 0), predicted_share(classes, 0);
  double agree = 0;
  const double n = static_cast<double>(truth.size());
  for (std::size_t i = 0; i < truth.size(); ++i) {
    if (truth[i] < 0 || truth[i] >= classes || predicted[i] < 0 || predicted[i] >= classes)
      return std::nullopt;
    true_share[truth[i]] += 1 / n;
    predicted_share[predicted[i]] += 1 / n;
    agree += truth[i] == predicted[i];
  }
  double chance = 0;
  for (int k = 0; k < classes; ++k) chance += true_share[k] * predicted_share[k];
  if (chance >= 1 - 1e-12) return std::nullopt;
  return (agree / n - chance) / (1 - chance);
}

bool varies_label_keys(const SweepResults& results) {
  std::set<std::string> seen;
  for (const ResultGroup& group : results.groups) seen.insert(label_values(group.point));
  return seen.size() > 1;
}

std::vector<LabelPointRow> label_point_rows(const SweepResults& results) {
  std::vector<LabelPointRow> rows;
  if (!varies_label_keys(results)) return rows;
  for (const ResultGroup& group : results.groups) rows.push_back({&group, kappa_over_runs(group)});
  return rows;
}

std::vector<TextTable> label_comparison_tables(const SweepResults& results) {
  const std::vector<LabelPointRow> rows = label_point_rows(results);
  if (rows.empty()) return {};
  TextTable table;
  table.caption =
      "Label settings compared: the points differ in a labels.* key, so the target differs; Cohen's kappa "
      "(chance-corrected, best epoch, mean ± std over runs) is comparable across them, accuracy is not";
  table.header = {"point", "experiment", "classes", "best accuracy", "majority baseline", "Cohen's kappa"};
  for (const LabelPointRow& row : rows) {
    const ResultGroup& group = *row.group;
    table.rows.push_back(
        {describe_point(group.point), group.experiment, std::to_string(group.classes),
         format_mean_and_std(group.best.accuracy),
         group.best.majority_baseline ? fmt::format("{:.3f}", group.best.majority_baseline->mean) : "-",
         row.kappa ? fmt::format("{:.3f} ± {:.3f}", row.kappa->mean, row.kappa->std) : "undefined"});
  }
  return {table};
}

nlohmann::json label_comparison_json(const SweepResults& results) {
  nlohmann::json rows = nlohmann::json::array();
  for (const LabelPointRow& row : label_point_rows(results)) {
    const ResultGroup& group = *row.group;
    rows.push_back(
        {{"point", nlohmann::json::parse(group.point, nullptr, false)},
         {"experiment", group.experiment},
         {"classes", group.classes},
         {"accuracy_best", group.best.accuracy.mean},
         {"kappa_best", row.kappa ? nlohmann::json(row.kappa->mean) : nlohmann::json(nullptr)},
         {"kappa_best_std", row.kappa ? nlohmann::json(row.kappa->std) : nlohmann::json(nullptr)}});
  }
  return rows;
}

}  // namespace popsweep::reports
