#include "reports/input_ablation.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <tuple>

#include "reports/paired_comparisons.h"
#include "reports/results_tables.h"

namespace popsweep::reports {
namespace {

// Where an input set sits in tables and sentences: the paper's model first,
// then the baseline without pixels, then both.
int input_rank(const std::string& inputs) {
  if (inputs == "visual") return 0;
  if (inputs == "context") return 1;
  if (inputs == "visual+context") return 2;
  return 3;
}

bool input_order(const std::string& a, const std::string& b) {
  return std::make_tuple(input_rank(a), a) < std::make_tuple(input_rank(b), b);
}

// The group's point without train.inputs, and its train.inputs value; no
// value when the point does not sweep it.
std::optional<std::pair<std::string, std::string>> split_point(const std::string& point) {
  nlohmann::json parsed = nlohmann::json::parse(point, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object() || !parsed.contains(kInputsKey)) return std::nullopt;
  const nlohmann::json& value = parsed[kInputsKey];
  std::string inputs = value.is_string() ? value.get<std::string>() : value.dump();
  parsed.erase(kInputsKey);
  return std::make_pair(parsed.dump(), inputs);
}

// "p = 0.004", or "p < 0.001" where format_p_value gives "< 0.001".
std::string p_clause(double p) {
  const std::string value = format_p_value(p);
  return value.front() == '<' ? "p " + value : "p = " + value;
}

std::string describe_comparison(const ExperimentComparison& comparison, const std::string& other) {
  const std::optional<double> p = comparison_p_value(comparison);
  const double difference =
      comparison.first == other ? -comparison.mean_difference : comparison.mean_difference;
  if (!p)
    return fmt::format("cannot be told apart from {} by the test ({:+.3f}, p undefined)", other, difference);
  if (*p < 0.05 && difference > 0)
    return fmt::format("beats {} ({:+.3f}, {})", other, difference, p_clause(*p));
  return fmt::format("is not distinguishable from {} ({:+.3f}, {})", other, difference, p_clause(*p));
}

// "image, 2 classes: visual+context wins (0.712 ± 0.020); it beats visual
// (+0.090, p = 0.004) and is not distinguishable from context (...)."
std::string verdict_of(const InputAblation& ablation) {
  const ResultGroup* best = nullptr;
  for (const auto& [inputs, group] : ablation.by_inputs) {
    if (inputs == ablation.winner) best = group;
  }
  std::string where = describe_point(ablation.point);
  std::string text = fmt::format("{}{}, {} classes: {} has the highest accuracy ({})",
                                 where.empty() ? "" : where + "; ", ablation.experiment, ablation.classes,
                                 ablation.winner, format_mean_and_std(best->best.accuracy));
  std::vector<std::string> clauses;
  for (const auto& [inputs, group] : ablation.by_inputs) {
    if (inputs == ablation.winner) continue;
    const auto comparison = std::find_if(ablation.comparisons.begin(), ablation.comparisons.end(),
                                         [&](const ExperimentComparison& c) {
                                           return (c.first == inputs && c.second == ablation.winner) ||
                                                  (c.second == inputs && c.first == ablation.winner);
                                         });
    clauses.push_back(comparison == ablation.comparisons.end()
                          ? fmt::format("no paired test against {} (not validated on the same items)", inputs)
                          : describe_comparison(*comparison, inputs));
  }
  if (clauses.empty()) return text + ".";
  text += "; it ";
  for (std::size_t i = 0; i < clauses.size(); ++i) {
    text += (i == 0 ? "" : i + 1 == clauses.size() ? " and " : ", ") + clauses[i];
  }
  return text + ".";
}

}  // namespace

std::vector<InputAblation> input_ablations(const SweepResults& results) {
  using Key = std::tuple<std::string, std::string, int, std::string>;  // point, experiment, classes, split
  std::map<Key, std::vector<std::pair<std::string, const ResultGroup*>>> by_key;
  std::vector<Key> key_order;
  for (const ResultGroup& group : results.groups) {
    const std::optional<std::pair<std::string, std::string>> parts = split_point(group.point);
    if (!parts) continue;
    const Key key{parts->first, group.experiment, group.classes, group.split};
    if (by_key.find(key) == by_key.end()) key_order.push_back(key);
    by_key[key].push_back({parts->second, &group});
  }
  std::vector<InputAblation> ablations;
  for (const Key& key : key_order) {
    std::vector<std::pair<std::string, const ResultGroup*>> sets = by_key[key];
    if (sets.size() < 2) continue;
    std::sort(sets.begin(), sets.end(),
              [](const auto& a, const auto& b) { return input_order(a.first, b.first); });
    InputAblation ablation;
    std::tie(ablation.point, ablation.experiment, ablation.classes, ablation.split) = key;
    ablation.by_inputs = sets;
    for (std::size_t i = 0; i < sets.size(); ++i) {
      for (std::size_t j = i + 1; j < sets.size(); ++j) {
        std::optional<ExperimentComparison> comparison = compare_groups(*sets[i].second, *sets[j].second);
        if (!comparison) continue;
        comparison->point = ablation.point;
        comparison->first = sets[i].first;
        comparison->second = sets[j].first;
        ablation.comparisons.push_back(std::move(*comparison));
      }
    }
    // Strictly higher wins, so a tie goes to the earlier input set.
    const auto best = std::max_element(sets.begin(), sets.end(), [](const auto& a, const auto& b) {
      return a.second->best.accuracy.mean < b.second->best.accuracy.mean;
    });
    ablation.winner = best->first;
    ablation.verdict = verdict_of(ablation);
    ablations.push_back(std::move(ablation));
  }
  return ablations;
}

TextTable input_ablation_table(const std::vector<InputAblation>& ablations) {
  TextTable table;
  table.caption =
      "Input ablation: best-epoch accuracy (selection-biased), mean ± std over runs, per input set";
  std::vector<std::string> input_sets;
  bool any_point = false;
  for (const InputAblation& ablation : ablations) {
    any_point |= !describe_point(ablation.point).empty();
    for (const auto& [inputs, group] : ablation.by_inputs) {
      if (std::find(input_sets.begin(), input_sets.end(), inputs) == input_sets.end())
        input_sets.push_back(inputs);
    }
  }
  std::sort(input_sets.begin(), input_sets.end(), input_order);
  if (any_point) table.header.push_back("point");
  table.header.insert(table.header.end(), {"experiment", "classes"});
  table.header.insert(table.header.end(), input_sets.begin(), input_sets.end());
  table.header.push_back("highest");
  for (const InputAblation& ablation : ablations) {
    std::vector<std::string> row;
    if (any_point) row.push_back(describe_point(ablation.point));
    row.insert(row.end(), {ablation.experiment, std::to_string(ablation.classes)});
    for (const std::string& inputs : input_sets) {
      const auto found = std::find_if(ablation.by_inputs.begin(), ablation.by_inputs.end(),
                                      [&](const auto& entry) { return entry.first == inputs; });
      row.push_back(found == ablation.by_inputs.end() ? "-"
                                                      : format_mean_and_std(found->second->best.accuracy));
    }
    row.push_back(ablation.winner);
    table.rows.push_back(std::move(row));
  }
  return table;
}

TextTable input_ablation_tests_table(const std::vector<InputAblation>& ablations) {
  TextTable table;
  table.caption = "Input ablation: paired tests between input sets on the same validation items";
  table.header = {"experiment", "classes", "first", "second", "test", "compared", "mean difference", "p"};
  for (const InputAblation& ablation : ablations) {
    for (const ExperimentComparison& c : ablation.comparisons) {
      const std::optional<double> p = comparison_p_value(c);
      table.rows.push_back(
          {ablation.experiment, std::to_string(ablation.classes), c.first, c.second,
           c.sign_test ? "exact sign test over items" : "corrected resampled t-test",
           c.sign_test ? fmt::format("{} items", c.items) : fmt::format("{} splits", c.splits),
           fmt::format("{:+.3f}", c.mean_difference), p ? format_p_value(*p) : "n/a"});
    }
  }
  return table;
}

}  // namespace popsweep::reports
