// Every key an experiment spec may hold: its type, default, allowed values
// and documentation, in one table. The YAML loader, the command-line
// overrides, the sweep section and docs/SPEC.md all read this table, so an
// option documented is an option accepted and vice versa (a test checks
// docs/SPEC.md against it).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "orchestrator/spec_values.h"

namespace popsweep::orchestrator {

enum class FieldKind { Boolean, Integer, Number, Text, Choice, IntegerList, ChoiceList, NumberOrAuto };

struct SpecField {
  std::string path;  // "train.lr"
  FieldKind kind;
  SpecValue default_value;
  std::string doc;
  std::vector<std::string> choices;  // Choice, ChoiceList
  std::optional<double> minimum;     // Integer, Number, IntegerList
  std::optional<double> maximum;
  bool affects_results = true;  // false for run.* and names: changing them never changes a number
  bool sweepable = true;
  // A key added after sweeps were recorded, whose value (as format_spec_value
  // writes it) that reproduces how popsweep worked before it existed: at that
  // value it is left out of a sweep's identity, so older sweeps stay
  // comparable and are not refused as changed.
  std::optional<std::string> identity_omits_value = std::nullopt;
  // Text whose form is richer than a list of choices (run.device's cuda:N):
  // returns why a value is invalid, or an empty string.
  std::string (*check_text)(const std::string& value) = nullptr;
};

const std::vector<SpecField>& spec_schema();
const SpecField* find_spec_field(const std::string& path);

// Checks the value against the field's range and choices; returns the
// reason it is invalid, or an empty string.
std::string check_spec_value(const SpecField& field, const SpecValue& value);

// Markdown table of every field, for docs/SPEC.md.
std::string spec_schema_markdown();

}  // namespace popsweep::orchestrator
