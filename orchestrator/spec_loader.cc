#include "orchestrator/spec_loader.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>

#include "common/error.h"
#include "common/file_util.h"
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

void read_mapping(LoadedSpec& spec, const YAML::Node& node, const std::string& prefix) {
  if (!node.IsMap()) fail(Origin::of(spec.source, node), prefix, "expected a mapping of keys to values");
  for (const auto& entry : node) {
    const std::string key = entry.first.Scalar();
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    const Origin origin = Origin::of(spec.source, entry.first);
    if (path == "sweep") {
      if (entry.second.IsNull()) continue;
      if (!entry.second.IsMap()) fail(origin, path, "expected a mapping of dotted keys to lists of values");
      for (const auto& axis : entry.second) {
        add_sweep_axis(spec, axis.first.Scalar(), axis.second, Origin::of(spec.source, axis.first));
      }
      continue;
    }
    if (const SpecField* field = find_spec_field(path)) {
      spec.values[path] = checked_value(*field, entry.second, Origin::of(spec.source, entry.second));
      spec.explicit_keys.insert(path);
    } else if (entry.second.IsMap()) {
      read_mapping(spec, entry.second, path);
    } else if (is_section(path)) {
      fail(origin, path, "is a section: expected a mapping of keys to values");
    } else {
      fail(origin, path, unknown_key_message(path));
    }
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
  const SpecField* field = find_spec_field(path);
  if (!field) fail(origin, path, unknown_key_message(path));
  spec.values[path] = checked_value(*field, value, origin);
  spec.explicit_keys.insert(path);
}

// Refuses a sweep of more than kMaxSweepPoints points, naming its axes.
void check_sweep_size(const LoadedSpec& spec) {
  std::size_t points = 1;
  std::string axes;
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
  if (std::get<std::string>(spec.values["name"]).empty()) {
    spec.values["name"] = std::filesystem::path(source_name).stem().string();
  }
  return spec;
}

LoadedSpec load_spec_file(const std::string& path, const std::vector<std::string>& overrides) {
  return parse_spec_text(read_text_file(path), path, overrides);
}

std::vector<SpecValues> expand_sweep_points(const LoadedSpec& spec) {
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
