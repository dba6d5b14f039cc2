#include "orchestrator/spec_loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>

#include "common/error.h"
#include "common/file_util.h"
#include "orchestrator/search_halving.h"
#include "orchestrator/search_samplers.h"
#include "orchestrator/spec_schema.h"

namespace popsweep::orchestrator {
namespace {

// Where a value came from, for error messages: "spec.yaml:12:5" or
// "command-line override 'train.lr=abc'".
struct Origin {
  std::string text;
  static Origin of(const std::string& source, const YAML::Node& node) {
    const YAML::Mark mark = node.Mark();
    if (mark.line < 0) return {source};
    return {source + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1)};
  }
};

[[noreturn]] void fail(const Origin& origin, const std::string& path, const std::string& message) {
  throw ConfigError(origin.text + ": " + (path.empty() ? "" : "'" + path + "': ") + message);
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string unknown_key_message(const std::string& path) {
  std::string best;
  size_t best_distance = 4;  // suggest only near misses
  for (const SpecField& f : spec_schema()) {
    const size_t d = edit_distance(path, f.path);
    if (d < best_distance) best_distance = d, best = f.path;
  }
  std::string message = "unknown key";
  if (!best.empty()) message += " (did you mean '" + best + "'?)";
  return message + "; docs/SPEC.md lists every key";
}

bool is_section(const std::string& path) {
  for (const SpecField& f : spec_schema()) {
    if (f.path.rfind(path + ".", 0) == 0) return true;
  }
  return false;
}

bool parse_integer(const std::string& text, std::int64_t* value) {
  if (text.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const long long parsed = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return false;
  *value = parsed;
  return true;
}

bool parse_number(const std::string& text, double* value) {
  if (text.empty()) return false;
  errno = 0;
  char* end = nullptr;
  const double parsed = std::strtod(text.c_str(), &end);
  if (errno != 0 || *end != '\0') return false;
  *value = parsed;
  return true;
}

std::string scalar_text(const YAML::Node& node, const Origin& origin, const std::string& path) {
  if (!node.IsScalar()) fail(origin, path, "expected a single value");
  return node.Scalar();
}

std::vector<YAML::Node> list_items(const YAML::Node& node) {
  std::vector<YAML::Node> items;
  if (node.IsSequence()) {
    for (const YAML::Node& item : node) items.push_back(item);
  } else {
    items.push_back(node);  // a single value is a list of one
  }
  return items;
}

SpecValue convert(const SpecField& field, const YAML::Node& node, const Origin& origin) {
  const std::string& path = field.path;
  switch (field.kind) {
    case FieldKind::Boolean: {
      const std::string text = scalar_text(node, origin, path);
      if (text == "true" || text == "yes" || text == "on") return true;
      if (text == "false" || text == "no" || text == "off") return false;
      fail(origin, path, "'" + text + "' is not true or false");
    }
    case FieldKind::Integer: {
      std::int64_t value = 0;
      const std::string text = scalar_text(node, origin, path);
      if (!parse_integer(text, &value)) fail(origin, path, "'" + text + "' is not a whole number");
      return value;
    }
    case FieldKind::Number: {
      double value = 0;
      const std::string text = scalar_text(node, origin, path);
      if (!parse_number(text, &value)) fail(origin, path, "'" + text + "' is not a number");
      return value;
    }
    case FieldKind::NumberOrAuto: {
      const std::string text = scalar_text(node, origin, path);
      if (text == "auto") return std::string("auto");
      double value = 0;
      if (!parse_number(text, &value)) fail(origin, path, "'" + text + "' is neither a number nor auto");
      return value;
    }
    case FieldKind::Text:
    case FieldKind::Choice:
      return node.IsNull() ? std::string("") : scalar_text(node, origin, path);
    case FieldKind::IntegerList: {
      std::vector<std::int64_t> values;
      for (const YAML::Node& item : list_items(node)) {
        std::int64_t value = 0;
        const std::string text = scalar_text(item, Origin::of(origin.text, item), path);
        if (!parse_integer(text, &value)) fail(origin, path, "'" + text + "' is not a whole number");
        values.push_back(value);
      }
      return values;
    }
    case FieldKind::ChoiceList: {
      std::vector<std::string> values;
      for (const YAML::Node& item : list_items(node)) values.push_back(scalar_text(item, origin, path));
      return values;
    }
  }
  fail(origin, path, "unsupported field kind");
}

SpecValue checked_value(const SpecField& field, const YAML::Node& node, const Origin& origin) {
  SpecValue value = convert(field, node, origin);
  if (const std::string why = check_spec_value(field, value); !why.empty()) fail(origin, field.path, why);
  return value;
}

void add_sweep_axis(LoadedSpec& spec, const std::string& path, const YAML::Node& values, const Origin& origin) {
  const SpecField* field = find_spec_field(path);
  if (!field) fail(origin, "sweep." + path, unknown_key_message(path));
  if (!field->sweepable) fail(origin, "sweep." + path, "this key cannot be swept (it never changes a result)");
  SweepAxis axis{path, {}};
  for (const YAML::Node& item : list_items(values)) {
    // A swept list field takes one list per point: sweep.train.classes: [[2], [3]].
    axis.values.push_back(checked_value(*field, item, Origin::of(origin.text, item)));
  }
  if (axis.values.empty()) fail(origin, "sweep." + path, "no values to sweep");
  spec.explicit_keys.insert(path);
  auto existing = std::find_if(spec.sweep.begin(), spec.sweep.end(), [&](const SweepAxis& a) { return a.path == path; });
  if (existing != spec.sweep.end()) {
    *existing = std::move(axis);  // an override replaces the file's axis
  } else {
    spec.sweep.push_back(std::move(axis));
  }
}

double range_bound(const YAML::Node& node, const Origin& origin, const std::string& path) {
  double value = 0;
  const std::string text = scalar_text(node, origin, path);
  if (!parse_number(text, &value)) fail(origin, path, "'" + text + "' is not a number");
  return value;
}

// One `search:` key: `train.lr: {loguniform: [1e-4, 1e-1]}`, `{uniform: [a, b]}`,
// `{int: [a, b]}` or `{choice: [v, ...]}`. The bounds and choices must be
// valid values of the key, so no trial can draw a value the key refuses.
void add_search_dimension(LoadedSpec& spec, const std::string& path, const YAML::Node& node,
                          const Origin& origin) {
  const std::string where = "search." + path;
  const SpecField* field = find_spec_field(path);
  if (!field) fail(origin, where, unknown_key_message(path));
  if (!field->sweepable) fail(origin, where, "this key cannot be searched (it never changes a result)");
  if (!node.IsMap() || node.size() != 1) {
    fail(origin, where,
         "expected one of {uniform: [a, b]}, {loguniform: [a, b]}, {int: [a, b]}, {choice: [...]}");
  }
  SearchDimension dimension;
  dimension.path = path;
  dimension.origin = origin.text;
  const std::string range = node.begin()->first.Scalar();
  // A copy: the iterator hands out a temporary pair, which a reference would outlive.
  const YAML::Node arguments = node.begin()->second;
  if (range == "choice") {
    dimension.range = SearchRange::Choice;
    if (!arguments.IsSequence()) fail(origin, where, "{choice: [...]} takes a list of values");
    for (const YAML::Node& item : arguments) {
      dimension.choices.push_back(checked_value(*field, item, Origin::of(origin.text, item)));
    }
  } else {
    if (range == "uniform") {
      dimension.range = SearchRange::Uniform;
    } else if (range == "loguniform") {
      dimension.range = SearchRange::LogUniform;
    } else if (range == "int") {
      dimension.range = SearchRange::Integer;
    } else {
      fail(origin, where, "'" + range + "' is not a range: use uniform, loguniform, int or choice");
    }
    const bool numeric = field->kind == FieldKind::Number || field->kind == FieldKind::Integer;
    if (!numeric) fail(origin, where, "a range needs a numeric key; use {choice: [...]}");
    dimension.integer_key = field->kind == FieldKind::Integer;
    if (dimension.integer_key && dimension.range == SearchRange::Uniform) {
      fail(origin, where, "holds whole numbers: use {int: [a, b]} or {loguniform: [a, b]}");
    }
    if (!arguments.IsSequence() || arguments.size() != 2) fail(origin, where, "expected [a, b]");
    dimension.low = range_bound(arguments[0], origin, where);
    dimension.high = range_bound(arguments[1], origin, where);
  }
  if (const std::string why = search_dimension_problem(dimension); !why.empty()) fail(origin, where, why);
  if (dimension.range != SearchRange::Choice) {
    for (const double bound : {dimension.low, dimension.high}) {
      const SpecValue value =
          dimension.integer_key ? SpecValue(static_cast<std::int64_t>(bound)) : SpecValue(bound);
      if (const std::string why = check_spec_value(*field, value); !why.empty()) fail(origin, where, why);
    }
  }
  spec.explicit_keys.insert(path);
  auto existing = std::find_if(spec.search.begin(), spec.search.end(),
                               [&](const SearchDimension& d) { return d.path == path; });
  if (existing != spec.search.end()) {
    *existing = std::move(dimension);  // an override replaces the file's range
  } else {
    spec.search.push_back(std::move(dimension));
  }
}

// search.method, search.trials, search.objective.* are ordinary fields;
// every other key under `search:` is a dotted key to search over.
bool is_search_setting(const std::string& key) {
  return find_spec_field("search." + key) != nullptr || is_section("search." + key);
}

void read_mapping(LoadedSpec& spec, const YAML::Node& node, const std::string& prefix);

void read_entry(LoadedSpec& spec, const std::string& path, const YAML::Node& key, const YAML::Node& value) {
  const Origin origin = Origin::of(spec.source, key);
  if (path == "sweep") {
    if (value.IsNull()) return;
    if (!value.IsMap()) fail(origin, path, "expected a mapping of dotted keys to lists of values");
    for (const auto& axis : value) {
      add_sweep_axis(spec, axis.first.Scalar(), axis.second, Origin::of(spec.source, axis.first));
    }
    return;
  }
  if (path == "search") {
    if (value.IsNull()) return;
    if (!value.IsMap()) fail(origin, path, "expected a mapping of settings and dotted keys to ranges");
    spec.search_origin = origin.text;
    for (const auto& entry : value) {
      const std::string name = entry.first.Scalar();
      if (is_search_setting(name)) {
        read_entry(spec, "search." + name, entry.first, entry.second);
      } else {
        add_search_dimension(spec, name, entry.second, Origin::of(spec.source, entry.first));
      }
    }
    return;
  }
  if (const SpecField* field = find_spec_field(path)) {
    spec.values[path] = checked_value(*field, value, Origin::of(spec.source, value));
    spec.explicit_keys.insert(path);
  } else if (value.IsMap()) {
    read_mapping(spec, value, path);
  } else if (is_section(path)) {
    fail(origin, path, "is a section: expected a mapping of keys to values");
  } else {
    fail(origin, path, unknown_key_message(path));
  }
}

void read_mapping(LoadedSpec& spec, const YAML::Node& node, const std::string& prefix) {
  if (!node.IsMap()) fail(Origin::of(spec.source, node), prefix, "expected a mapping of keys to values");
  for (const auto& entry : node) {
    const std::string key = entry.first.Scalar();
    read_entry(spec, prefix.empty() ? key : prefix + "." + key, entry.first, entry.second);
  }
}

void apply_override(LoadedSpec& spec, const std::string& text) {
  const Origin origin{"command-line override '" + text + "'"};
  const size_t equals = text.find('=');
  if (equals == std::string::npos || equals == 0) fail(origin, "", "expected KEY=VALUE");
  const std::string path = text.substr(0, equals);
  YAML::Node value;
  try {
    value = YAML::Load(text.substr(equals + 1));
  } catch (const YAML::Exception& error) {
    fail(origin, path, std::string("value is not valid YAML: ") + error.msg);
  }
  if (path.rfind("sweep.", 0) == 0) {
    add_sweep_axis(spec, path.substr(6), value, origin);
    return;
  }
  if (path.rfind("search.", 0) == 0 && !is_search_setting(path.substr(7))) {
    add_search_dimension(spec, path.substr(7), value, origin);
    return;
  }
  const SpecField* field = find_spec_field(path);
  if (!field) fail(origin, path, unknown_key_message(path));
  spec.values[path] = checked_value(*field, value, origin);
  spec.explicit_keys.insert(path);
}

// Refuses a sweep of more than kMaxSweepPoints points, naming its axes.
void check_sweep_size(const LoadedSpec& spec) {
  std::size_t points = 1;
  std::string axes;
  if (!spec.search.empty()) {
    points = static_cast<std::size_t>(std::get<std::int64_t>(spec.values.at("search.trials")));
    axes = "search.trials (" + std::to_string(points) + ")";
  }
  for (const SweepAxis& axis : spec.sweep) {
    axes += (axes.empty() ? "" : " x ") + axis.path + " (" + std::to_string(axis.values.size()) + ")";
    points =
        axis.values.size() > kMaxSweepPoints / points ? kMaxSweepPoints + 1 : points * axis.values.size();
  }
  if (points > kMaxSweepPoints) {
    throw ConfigError(spec.source + ": the sweep " + axes + " has more than " +
                      std::to_string(kMaxSweepPoints) + " points; split it into several sweeps");
  }
}

// The rules of a search that span keys, each naming the file and line of the
// `search:` key at fault.
void check_search(const LoadedSpec& spec) {
  const SearchSettings settings = search_settings(spec.values);
  const std::string where = spec.search_origin.empty() ? spec.source : spec.search_origin;
  std::vector<std::string> varied_keys;
  for (const SweepAxis& axis : spec.sweep) varied_keys.push_back(axis.path);
  for (const SearchDimension& dimension : spec.search) varied_keys.push_back(dimension.path);
  if (const std::optional<SearchSettingProblem> problem = pruner_problem(spec.values, varied_keys)) {
    fail({where}, problem->key, problem->message);
  }
  if (settings.method == "grid") {
    if (!spec.search.empty()) {
      fail({spec.search.front().origin}, "search." + spec.search.front().path,
           "search.method is grid, which crosses `sweep:` lists: set search.method to random, sobol or "
           "tpe, or list the values under `sweep:`");
    }
    return;
  }
  if (spec.search.empty()) {
    fail({where}, "search.method", settings.method + " needs at least one key to search under `search:`");
  }
  for (const SearchDimension& dimension : spec.search) {
    for (const SweepAxis& axis : spec.sweep) {
      if (axis.path == dimension.path) {
        fail({dimension.origin}, "search." + dimension.path,
             "is also under `sweep:`: give it in one of the two");
      }
    }
  }
  if (settings.method == "sobol" && spec.search.size() > static_cast<size_t>(kSobolDimensions)) {
    fail({where}, "search.method", "sobol supports at most " + std::to_string(kSobolDimensions) + " keys");
  }
  // A trial needs one score: which experiments and K judge it, when the spec
  // trains several (or varies them).
  auto varies = [&](const std::string& path) {
    if (std::any_of(spec.sweep.begin(), spec.sweep.end(), [&](const SweepAxis& a) { return a.path == path; }))
      return true;
    return std::any_of(spec.search.begin(), spec.search.end(),
                       [&](const SearchDimension& d) { return d.path == path; });
  };
  const auto& experiments = std::get<std::vector<std::string>>(spec.values.at("train.experiments"));
  const auto& classes = std::get<std::vector<std::int64_t>>(spec.values.at("train.classes"));
  const bool experiments_named = spec.explicit_keys.count("search.objective.experiments") > 0;
  if (!experiments_named && (experiments.size() > 1 || varies("train.experiments"))) {
    fail({where}, "search.objective.experiments",
         "the spec trains several experiments: say which judge a trial (for example "
         "search.objective.experiments: [image])");
  }
  if (settings.objective.classes == 0 ||
      (varies("train.classes") && !spec.explicit_keys.count("search.objective.classes"))) {
    fail({where}, "search.objective.classes",
         "the spec trains several numbers of classes: say at which K a trial is judged "
         "(search.objective.classes)");
  }
  for (const std::string& experiment : settings.objective.experiments) {
    if (!varies("train.experiments") &&
        std::find(experiments.begin(), experiments.end(), experiment) == experiments.end()) {
      fail({where}, "search.objective.experiments", experiment + " is not in train.experiments");
    }
  }
  if (!varies("train.classes") &&
      std::find(classes.begin(), classes.end(), settings.objective.classes) == classes.end()) {
    fail({where}, "search.objective.classes",
         std::to_string(settings.objective.classes) + " is not in train.classes");
  }
}

// A study lists its profiles in profile.paths; a single profile.path beside
// it would be ambiguous.
void check_study(const LoadedSpec& spec) {
  if (!spec.explicit_keys.count("profile.paths")) return;
  for (const char* other : {"profile.path", "profile.synth.preset"}) {
    if (spec.explicit_keys.count(other)) {
      throw ConfigError(spec.source + ": 'profile.paths' and '" + other +
                        "' exclude each other: a study lists every profile under profile.paths");
    }
  }
}

}  // namespace

LoadedSpec parse_spec_text(const std::string& yaml_text, const std::string& source_name,
                           const std::vector<std::string>& overrides) {
  LoadedSpec spec;
  spec.source = source_name;
  spec.overrides = overrides;
  for (const SpecField& field : spec_schema()) spec.values[field.path] = field.default_value;
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& error) {
    throw ConfigError(source_name + ":" + std::to_string(error.mark.line + 1) + ":" +
                      std::to_string(error.mark.column + 1) + ": not valid YAML: " + error.msg);
  }
  if (!root.IsNull()) read_mapping(spec, root, "");
  for (const std::string& text : overrides) apply_override(spec, text);
  check_sweep_size(spec);
  check_search(spec);
  check_study(spec);
  if (std::get<std::string>(spec.values["name"]).empty()) {
    spec.values["name"] = std::filesystem::path(source_name).stem().string();
  }
  return spec;
}

LoadedSpec load_spec_file(const std::string& path, const std::vector<std::string>& overrides) {
  return parse_spec_text(read_text_file(path), path, overrides);
}

std::vector<SpecValues> expand_sweep_points(const LoadedSpec& spec) {
  if (spec.search.empty()) return expand_sweep_points(spec, {});
  // Without scores a tpe search can propose only what needs none.
  return expand_sweep_points(
      spec, propose_trials(spec.search, search_settings(spec.values),
                           static_cast<int>(std::get<std::int64_t>(spec.values.at("search.trials")))));
}

std::vector<SpecValues> expand_sweep_points(const LoadedSpec& spec, const std::vector<SpecValues>& trials) {
  std::vector<SpecValues> grid = expand_grid(spec);
  if (spec.search.empty()) return grid;
  std::vector<SpecValues> points;
  for (size_t trial = 0; trial < trials.size(); ++trial) {
    for (const SpecValues& grid_point : grid) {
      SpecValues point = grid_point;
      for (const auto& [path, value] : trials[trial]) point[path] = value;
      point[kTrialKey] = static_cast<std::int64_t>(trial);
      points.push_back(std::move(point));
    }
  }
  return points;
}

std::vector<SpecValues> expand_grid(const LoadedSpec& spec) {
  std::vector<SpecValues> points{spec.values};
  for (const SweepAxis& axis : spec.sweep) {
    std::vector<SpecValues> next;
    next.reserve(points.size() * axis.values.size());
    for (const SpecValues& point : points) {
      for (const SpecValue& value : axis.values) {
        SpecValues extended = point;
        extended[axis.path] = value;
        next.push_back(std::move(extended));
      }
    }
    points = std::move(next);
  }
  return points;
}

}  // namespace popsweep::orchestrator
