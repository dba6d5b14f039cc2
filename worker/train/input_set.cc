#include "worker/train/input_set.h"

#include "common/error.h"

namespace popsweep::train {
namespace {

struct NamedInputSet {
  std::string_view name;
  InputSet inputs;
};
constexpr NamedInputSet kInputSets[] = {
    {"visual", InputSet::kVisual},
    {"context", InputSet::kContext},
    {"visual+context", InputSet::kVisualContext},
};

}  // namespace

InputSet parse_input_set(std::string_view name) {
  std::string valid;
  for (const NamedInputSet& known : kInputSets) {
    if (known.name == name) return known.inputs;
    valid += (valid.empty() ? "" : ", ") + std::string(known.name);
  }
  throw ConfigError("unknown input set '" + std::string(name) + "' (valid: " + valid + ")");
}

std::string input_set_name(InputSet inputs) {
  for (const NamedInputSet& known : kInputSets) {
    if (known.inputs == inputs) return std::string(known.name);
  }
  throw Error("input_set_name: unknown enum value");
}

}  // namespace popsweep::train
