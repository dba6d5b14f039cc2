// The `search:` section of a spec: ranges and choices over sweepable keys,
// sampled into trials instead of crossed into a grid. Each trial is one more
// sweep point (crossed with any `sweep:` axes), so its jobs are planned,
// cached and resumed like a grid's. The samplers live in search_samplers.h.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "orchestrator/spec_values.h"

namespace popsweep::orchestrator {

enum class SearchRange { Uniform, LogUniform, Integer, Choice };

struct SearchDimension {
  std::string path;  // "train.lr"
  SearchRange range = SearchRange::Uniform;
  double low = 0;  // Uniform, LogUniform, Integer: inclusive bounds
  double high = 0;
  std::vector<SpecValue> choices;  // Choice: each a valid value of the key
  bool integer_key = false;        // the key holds whole numbers (Integer fields)
  std::string origin;              // "spec.yaml:12:3", for messages
};

// The point key that holds a trial's number (0, 1, ...). It is not a spec
// field, so sweep identities leave it out: a trial is identified by the
// values it sampled.
inline constexpr const char* kTrialKey = "search.trial";

// The value of `dimension` at the unit coordinate u in [0, 1): uniform and
// integer ranges map linearly, log ranges linearly in log space, choices by
// equal slices.
SpecValue value_at(const SearchDimension& dimension, double u);
// Where `value` sits in [0, 1) (the middle of its slice for integers and
// choices): the inverse of value_at, which TPE models in.
double unit_coordinate(const SearchDimension& dimension, const SpecValue& value);

// Why the dimension cannot be searched, or an empty string: a > b, a log
// range touching 0 or below, an empty choice.
std::string search_dimension_problem(const SearchDimension& dimension);

const char* to_string(SearchRange range);

}  // namespace popsweep::orchestrator
