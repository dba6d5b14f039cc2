#include "reports/report_charts.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "reports/charts.h"
#include "reports/results_tables.h"
#include "reports/search_summary.h"

namespace popsweep::reports {
namespace {

std::string safe_file_stem(const std::string& text) {
  std::string stem;
  for (const char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    stem += std::isalnum(u) ? static_cast<char>(std::tolower(u)) : '_';
  }
  return stem;
}

std::string group_title(const ResultGroup& group) {
  const std::string where = describe_point(group.point);
  return fmt::format("{}, {} classes{}", group.experiment, group.classes,
                     where.empty() ? "" : " (" + where + ")");
}

// Charts of different groups must not overwrite each other's files.
std::string group_stem(const std::string& kind, std::size_t index, const ResultGroup& group) {
  return fmt::format("{}_{:03}_{}_{}", kind, index, safe_file_stem(group.experiment), group.classes);
}

nlohmann::json parse_point(const std::string& point) {
  nlohmann::json parsed = nlohmann::json::parse(point, nullptr, false);
  return parsed.is_object() ? parsed : nlohmann::json::object();
}

// Numbers stay numbers on the x axis; other values (strings, lists) are
// placed at their rank among the key's distinct values.
double x_position(const nlohmann::json& value, const std::set<std::string>& distinct_values) {
  if (value.is_number()) return value.get<double>();
  return static_cast<double>(std::distance(distinct_values.begin(), distinct_values.find(value.dump())));
}

ReportChart parameter_chart(const SweepResults& results, const std::string& key,
                            const std::set<std::string>& distinct_values) {
  std::map<std::string, Series> series_by_name;
  for (const ResultGroup& group : results.groups) {
    nlohmann::json point = parse_point(group.point);
    if (!point.contains(key)) continue;
    const double x = x_position(point[key], distinct_values);
    point.erase(key);
    const std::string others = describe_point(point.dump());
    const std::string name =
        fmt::format("{} K={}{}", group.experiment, group.classes, others.empty() ? "" : " " + others);
    Series& series = series_by_name[name];
    series.name = name;
    series.x.push_back(x);
    series.y.push_back(group.best.accuracy.mean);
    series.spread.push_back(group.best.accuracy.std);
  }
  std::vector<Series> series;
  for (auto& entry : series_by_name) series.push_back(std::move(entry.second));
  const std::string title = "Best-epoch accuracy against " + key;
  return {"sweep_" + safe_file_stem(key), title, line_chart({title, key, "accuracy"}, series)};
}

std::vector<std::string> class_labels(int classes) {
  std::vector<std::string> labels;
  for (int k = 0; k < classes; ++k) labels.push_back("class " + std::to_string(k));
  return labels;
}

}  // namespace

std::vector<ReportChart> accuracy_bar_charts(const SweepResults& results) {
  std::map<std::string, std::vector<const ResultGroup*>> by_point;
  for (const ResultGroup& group : results.groups) by_point[group.point].push_back(&group);
  std::vector<ReportChart> charts;
  for (const auto& [point, groups] : by_point) {
    std::vector<std::string> experiments;
    std::map<int, std::map<std::string, const ResultGroup*>> by_classes;
    for (const ResultGroup* group : groups) {
      if (std::find(experiments.begin(), experiments.end(), group->experiment) == experiments.end()) {
        experiments.push_back(group->experiment);
      }
      by_classes[group->classes][group->experiment] = group;
    }
    std::vector<Series> series;
    for (const auto& [classes, groups_of_classes] : by_classes) {
      Series s{fmt::format("{} classes", classes), {}, {}, {}};
      for (std::size_t i = 0; i < experiments.size(); ++i) {
        const auto found = groups_of_classes.find(experiments[i]);
        // A missing group draws no bar rather than breaking the alignment.
        s.x.push_back(static_cast<double>(i));
        s.y.push_back(found == groups_of_classes.end() ? 0.0 : found->second->best.accuracy.mean);
        s.spread.push_back(found == groups_of_classes.end() ? 0.0 : found->second->best.accuracy.std);
      }
      series.push_back(std::move(s));
    }
    const std::string where = describe_point(point);
    const std::string title =
        "Best-epoch accuracy per experiment" + (where.empty() ? "" : " (" + where + ")");
    charts.push_back({fmt::format("accuracy_{:03}", charts.size()), title,
                      grouped_bar_chart({title, "experiment", "accuracy"}, experiments, series)});
  }
  return charts;
}

std::vector<ReportChart> sweep_parameter_charts(const SweepResults& results) {
  std::map<std::string, std::set<std::string>> values_by_key;
  for (const ResultGroup& group : results.groups) {
    const nlohmann::json point = parse_point(group.point);
    for (const auto& [key, value] : point.items()) values_by_key[key].insert(value.dump());
  }
  std::vector<ReportChart> charts;
  for (const auto& [key, values] : values_by_key) {
    if (values.size() >= 2) charts.push_back(parameter_chart(results, key, values));
  }
  return charts;
}

std::vector<ReportChart> confusion_charts(const SweepResults& results) {
  std::vector<ReportChart> charts;
  for (std::size_t index = 0; index < results.groups.size(); ++index) {
    const ResultGroup& group = results.groups[index];
    const std::size_t k = static_cast<std::size_t>(group.classes);
    std::vector<std::vector<double>> values(k, std::vector<double>(k));
    std::vector<std::vector<std::string>> captions(k, std::vector<std::string>(k));
    for (std::size_t cell = 0; cell < group.best.confusion.size() && cell < k * k; ++cell) {
      values[cell / k][cell % k] = group.best.confusion[cell].mean;
      captions[cell / k][cell % k] =
          fmt::format("{:.2f}±{:.2f}", group.best.confusion[cell].mean, group.best.confusion[cell].std);
    }
    const std::string title = "Confusion (rows: true class), " + group_title(group);
    const std::vector<std::string> labels = class_labels(group.classes);
    charts.push_back({group_stem("confusion", index, group), title,
                      heatmap({title, "predicted", "true"}, labels, labels, values, captions)});
  }
  return charts;
}

std::vector<ReportChart> learning_curve_charts(const SweepResults& results) {
  std::vector<ReportChart> charts;
  for (std::size_t index = 0; index < results.groups.size(); ++index) {
    const ResultGroup& group = results.groups[index];
    if (group.learning_curve.empty()) continue;  // no epoch history recorded: nothing to draw
    Series train_accuracy{"train accuracy", {}, {}, {}}, val_accuracy{"validation accuracy", {}, {}, {}};
    Series train_loss{"train loss", {}, {}, {}}, val_loss{"validation loss", {}, {}, {}};
    auto add = [](Series& series, double epoch, const train::MeanAndStd& value) {
      series.x.push_back(epoch);
      series.y.push_back(value.mean);
      series.spread.push_back(value.std);
    };
    for (const LearningCurvePoint& point : group.learning_curve) {
      const double epoch = static_cast<double>(point.epoch);
      add(train_accuracy, epoch, point.train_accuracy);
      add(val_accuracy, epoch, point.val_accuracy);
      add(train_loss, epoch, point.train_loss);
      add(val_loss, epoch, point.val_loss);
    }
    const std::string accuracy_title = "Accuracy per epoch, " + group_title(group);
    charts.push_back(
        {group_stem("curve_accuracy", index, group), accuracy_title,
         line_chart({accuracy_title, "epoch", "accuracy"}, {train_accuracy, val_accuracy}, true)});
    const std::string loss_title = "Loss per epoch, " + group_title(group);
    charts.push_back({group_stem("curve_loss", index, group), loss_title,
                      line_chart({loss_title, "epoch", "loss"}, {train_loss, val_loss}, true)});
  }
  return charts;
}

std::vector<const ReportChart*> ReportFigures::all() const {
  std::vector<const ReportChart*> charts;
  for (const std::vector<ReportChart>* section :
       {&accuracy, &sweep_parameters, &confusion, &learning_curves, &input_ablation}) {
    for (const ReportChart& chart : *section) charts.push_back(&chart);
  }
  return charts;
}

ReportFigures build_report_figures(const SweepResults& results) {
  // A search's values are continuous: its parameters are scatters, not lines.
  const std::optional<SearchSummary> search = summarize_search(results);
  return {accuracy_bar_charts(results),
          search ? search_parameter_charts(*search) : sweep_parameter_charts(results),
          confusion_charts(results), learning_curve_charts(results), input_ablation_charts(results)};
}

}  // namespace popsweep::reports
