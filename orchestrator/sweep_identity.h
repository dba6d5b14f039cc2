// What a sweep is, for the "resume is safe" rule: the canonical form of
// every value that can change a result, per sweep point. Rerunning a sweep
// whose points all still exist (a new value was added to a sweep list, or a
// new experiment, number of classes or repeat) runs only the new jobs; rerunning one whose existing points
// changed is refused with a diff, unless the user names a new sweep.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "orchestrator/spec_loader.h"

namespace popsweep::orchestrator {

// {"points": [{key: value, ...}, ...]} over the result-affecting keys only,
// one entry per sweep point, experiment, number of classes and repeat.
nlohmann::json sweep_identity(const LoadedSpec& spec);
// The same over points already expanded (a tpe search's proposed trials).
nlohmann::json sweep_identity(const std::vector<SpecValues>& points);
// For a search: {"method", "experiments", "classes", "metric", "epoch",
// "keys": [{"path", "range"}]}, recorded beside the points so the report
// knows the objective and which axes are log ranges; null for a grid.
nlohmann::json describe_search(const LoadedSpec& spec);
std::string sweep_identity_hash(const nlohmann::json& identity);

// Empty when `updated` keeps every point of `stored` (it may add points);
// otherwise one line per key whose value changed, "key: old -> new".
std::vector<std::string> incompatible_changes(const nlohmann::json& stored, const nlohmann::json& updated);

}  // namespace popsweep::orchestrator
