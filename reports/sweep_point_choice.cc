#include "reports/sweep_point_choice.h"

#include <cerrno>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "common/error.h"

namespace popsweep::reports {
namespace {

using SweptValues = std::map<std::string, std::string>;

SweptValues read_point(const std::string& point) {
  const nlohmann::json parsed = nlohmann::json::parse(point, nullptr, false);
  SweptValues values;
  if (parsed.is_discarded() || !parsed.is_object()) return values;
  for (const auto& [key, value] : parsed.items())
    values[key] = value.is_string() ? value.get<std::string>() : value.dump();
  return values;
}

std::optional<double> as_number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const double number = std::strtod(text.c_str(), &end);
  if (errno != 0 || end != text.c_str() + text.size()) return std::nullopt;
  return number;
}

bool same_value(const std::string& stored, const std::string& given) {
  if (stored == given) return true;
  const std::optional<double> a = as_number(stored), b = as_number(given);
  return a && b && *a == *b;
}

std::string joined(const std::set<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

std::string listing(const std::vector<std::string>& points) {
  std::string text;
  for (const std::string& point : points) text += "\n  " + point_arguments(point);
  return text;
}

// The key and value checks come before the combination, so a typo is named
// as such rather than reported as "no point matches".
void check_settings_exist(const std::vector<SweptValues>& points, const std::vector<PointSetting>& wanted,
                          const std::string& sweep_name) {
  std::map<std::string, std::set<std::string>> values_of_key;
  for (const SweptValues& point : points) {
    for (const auto& [key, value] : point) values_of_key[key].insert(value);
  }
  std::set<std::string> keys;
  for (const auto& [key, values] : values_of_key) keys.insert(key);
  for (const PointSetting& setting : wanted) {
    const auto found = values_of_key.find(setting.key);
    if (found == values_of_key.end()) {
      throw ConfigError("--point " + setting.key + "=" + setting.value + ": sweep '" + sweep_name +
                        "' does not sweep " + setting.key +
                        (keys.empty() ? "; it sweeps nothing, so no --point is needed"
                                      : "; its swept keys: " + joined(keys)));
    }
    bool any = false;
    for (const std::string& value : found->second) any |= same_value(value, setting.value);
    if (!any) {
      throw ConfigError("--point " + setting.key + "=" + setting.value + ": no point of sweep '" +
                        sweep_name + "' has " + setting.key + "=" + setting.value +
                        "; its values: " + joined(found->second));
    }
  }
}

}  // namespace

std::vector<PointSetting> parse_point_settings(const std::vector<std::string>& arguments) {
  std::vector<PointSetting> settings;
  std::set<std::string> seen;
  for (const std::string& argument : arguments) {
    const size_t equals = argument.find('=');
    if (equals == std::string::npos || equals == 0)
      throw ConfigError("--point " + argument + ": expected KEY=VALUE, e.g. labels.window_weeks=4");
    PointSetting setting{argument.substr(0, equals), argument.substr(equals + 1)};
    if (!seen.insert(setting.key).second) throw ConfigError("--point names " + setting.key + " twice");
    settings.push_back(std::move(setting));
  }
  return settings;
}

std::string choose_sweep_point(const std::vector<std::string>& points,
                               const std::vector<PointSetting>& wanted, const std::string& sweep_name) {
  std::vector<SweptValues> parsed;
  for (const std::string& point : points) parsed.push_back(read_point(point));
  check_settings_exist(parsed, wanted, sweep_name);
  std::vector<std::string> matching;
  for (size_t i = 0; i < points.size(); ++i) {
    bool matches = true;
    for (const PointSetting& setting : wanted) {
      const auto value = parsed[i].find(setting.key);
      matches &= value != parsed[i].end() && same_value(value->second, setting.value);
    }
    if (matches) matching.push_back(points[i]);
  }
  if (matching.size() == 1) return matching.front();
  if (matching.empty()) {
    throw ConfigError("sweep '" + sweep_name +
                      "' has no point with all of the --point settings; its points:" + listing(points));
  }
  throw ConfigError(
      "sweep '" + sweep_name + "' trained " + std::to_string(matching.size()) +
      " model sets (sweep points) that fit; predicting averages the models of one point only, so " +
      "choose one with --point KEY=VALUE:" + listing(matching));
}

std::string point_arguments(const std::string& point) {
  std::string text;
  for (const auto& [key, value] : read_point(point)) {
    // Quoted where the shell would split it: a list value reads "[2, 3]".
    const std::string setting = key + "=" + value;
    const bool quote = setting.find_first_of(" '") != std::string::npos;
    text += (text.empty() ? "--point " : " ") + (quote ? "\"" + setting + "\"" : setting);
  }
  return text.empty() ? "(the sweep's only point)" : text;
}

}  // namespace popsweep::reports
