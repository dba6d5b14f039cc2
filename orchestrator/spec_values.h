// The values of an experiment spec as a flat map from dotted path
// ("train.lr") to a typed value. Sweeps override single paths, so keeping
// the spec flat makes "any dotted parameter path can be swept" one line of
// code; the typed Spec (spec.h) is built from these values.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace popsweep::orchestrator {

using SpecValue = std::variant<bool, std::int64_t, double, std::string, std::vector<std::int64_t>,
                               std::vector<std::string>>;
using SpecValues = std::map<std::string, SpecValue>;

// Canonical text of a value (for hashes, job tables and diffs): numbers in
// shortest round-trip form, lists as [a, b].
std::string format_spec_value(const SpecValue& value);

}  // namespace popsweep::orchestrator
