// Reads an experiment spec (YAML) and Hydra-style command-line overrides
// (`train.epochs=5`, `sweep.labels.window_weeks=[4,8]`) into validated
// values and sweep axes. Every problem is reported before any job runs, with
// the file, line and column (or the override) at fault.
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <vector>

#include "orchestrator/spec_values.h"

namespace popsweep::orchestrator {

// A sweep has as many points as the product of its axes' lengths, and each
// point becomes jobs x folds x repeats. More points than this is a slip (or a
// hostile file), not an experiment: the spec is refused before anything is
// expanded.
constexpr std::size_t kMaxSweepPoints = 10000;

struct SweepAxis {
  std::string path;
  std::vector<SpecValue> values;
};

struct LoadedSpec {
  std::string source;                  // the spec file
  SpecValues values;                   // every field: default, file, then overrides
  std::vector<SweepAxis> sweep;        // in the order the spec lists them
  std::vector<std::string> overrides;  // as given on the command line
  std::set<std::string> explicit_keys; // set by the file, an override or a sweep axis (not defaults)
};

LoadedSpec load_spec_file(const std::string& path, const std::vector<std::string>& overrides = {});
LoadedSpec parse_spec_text(const std::string& yaml_text, const std::string& source_name,
                           const std::vector<std::string>& overrides = {});

// The Cartesian product of the sweep axes applied to the base values, in
// row-major order of the axes (the last axis varies fastest). A spec without
// a sweep section is one point; a loaded spec never has more than
// kMaxSweepPoints.
std::vector<SpecValues> expand_sweep_points(const LoadedSpec& spec);

}  // namespace popsweep::orchestrator
