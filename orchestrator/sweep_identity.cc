#include "orchestrator/sweep_identity.h"

#include <map>
#include <set>

#include "common/sha256.h"
#include "orchestrator/search_halving.h"
#include "orchestrator/search_samplers.h"
#include "orchestrator/spec_schema.h"

namespace popsweep::orchestrator {

namespace {

// The training grid inside one sweep point: its experiments, class counts and
// repeats. Each combination is its own jobs (a repeat's seeds depend on the
// repeat alone), so the identity lists them one by one: a rerun that adds an
// experiment, a number of classes or a repeat keeps every old entry and only
// adds jobs, like a new value in a `sweep:` list.
void add_training_grid(const SpecValues& point, const nlohmann::json& values, nlohmann::json& entries) {
  const auto& experiments = std::get<std::vector<std::string>>(point.at("train.experiments"));
  const auto& classes = std::get<std::vector<std::int64_t>>(point.at("train.classes"));
  const std::int64_t repeats = std::get<std::int64_t>(point.at("train.repeats"));
  for (const std::string& experiment : experiments) {
    for (const std::int64_t k : classes) {
      for (std::int64_t repeat = 0; repeat < repeats; ++repeat) {
        nlohmann::json entry = values;
        entry["train.experiments"] = experiment;
        entry["train.classes"] = std::to_string(k);
        entry["train.repeats"] = "repeat " + std::to_string(repeat);
        entries.push_back(std::move(entry));
      }
    }
  }
}

}  // namespace

nlohmann::json sweep_identity(const LoadedSpec& spec) { return sweep_identity(expand_sweep_points(spec)); }

nlohmann::json sweep_identity(const std::vector<SpecValues>& expanded) {
  nlohmann::json points = nlohmann::json::array();
  for (const SpecValues& point : expanded) {
    nlohmann::json values = nlohmann::json::object();
    for (const auto& [path, value] : point) {
      const SpecField* field = find_spec_field(path);
      if (!field || !field->affects_results) continue;
      std::string formatted = format_spec_value(value);
      if (field->identity_omits_value == formatted) continue;
      values[path] = std::move(formatted);
    }
    add_training_grid(point, values, points);
  }
  return {{"points", points}};
}

nlohmann::json describe_search(const LoadedSpec& spec) {
  if (spec.search.empty()) return nullptr;
  const SearchSettings settings = search_settings(spec.values);
  nlohmann::json keys = nlohmann::json::array();
  for (const SearchDimension& d : spec.search)
    keys.push_back({{"path", d.path}, {"range", to_string(d.range)}});
  nlohmann::json described = {{"method", settings.method},
                              {"experiments", settings.objective.experiments},
                              {"classes", settings.objective.classes},
                              {"metric", settings.objective.metric},
                              {"epoch", settings.objective.epoch},
                              {"keys", keys}};
  // Only when set, so searches recorded before these keys keep their identity.
  if (const HalvingSettings halving = halving_settings(spec.values); halving.enabled) {
    described["pruner"] = {{"method", "successive_halving"},
                           {"min_epochs", halving.min_epochs},
                           {"max_epochs", halving.max_epochs},
                           {"eta", halving.eta},
                           {"bracket", halving.bracket}};
  }
  if (const auto repeats = std::get<std::int64_t>(spec.values.at("search.holdout_repeats")); repeats > 0) {
    described["holdout_repeats"] = repeats;
  }
  return described;
}

std::string sweep_identity_hash(const nlohmann::json& identity) { return sha256_hex(identity.dump()); }

std::vector<std::string> incompatible_changes(const nlohmann::json& stored, const nlohmann::json& updated) {
  std::set<std::string> new_points;
  for (const nlohmann::json& point : updated.at("points")) new_points.insert(point.dump());
  std::vector<std::string> changes;
  bool every_point_kept = true;
  for (const nlohmann::json& point : stored.at("points"))
    every_point_kept &= new_points.count(point.dump()) > 0;
  if (every_point_kept) return changes;
  // Describe the change key by key: the values each key took before and now.
  std::map<std::string, std::set<std::string>> before, after;
  for (const nlohmann::json& point : stored.at("points")) {
    for (const auto& [key, value] : point.items()) before[key].insert(value.get<std::string>());
  }
  for (const nlohmann::json& point : updated.at("points")) {
    for (const auto& [key, value] : point.items()) after[key].insert(value.get<std::string>());
  }
  auto join = [](const std::set<std::string>& values) {
    std::string text;
    for (const std::string& v : values) text += (text.empty() ? "" : " | ") + (v.empty() ? "\"\"" : v);
    return text;
  };
  for (const auto& [key, values] : before) {
    if (after[key] != values) changes.push_back(key + ": " + join(values) + " -> " + join(after[key]));
  }
  for (const auto& [key, values] : after) {
    if (!before.count(key)) changes.push_back(key + ": (new key) -> " + join(values));
  }
  if (changes.empty()) changes.push_back("the combinations of values changed");
  return changes;
}

}  // namespace popsweep::orchestrator
