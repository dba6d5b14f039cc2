// Reads an experiment spec (YAML) and Hydra-style command-line overrides
// (`train.epochs=5`, `sweep.labels.window_weeks=[4,8]`) into validated
// values and sweep axes. Every problem is reported before any job runs, with
// the file, line and column (or the override) at fault.
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <vector>

#include "orchestrator/search_space.h"
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
  std::vector<SearchDimension> search;  // the `search:` keys, in the order the spec lists them
  std::string search_origin;            // where `search:` starts ("spec.yaml:20:1"), for messages
};

LoadedSpec load_spec_file(const std::string& path, const std::vector<std::string>& overrides = {});
LoadedSpec parse_spec_text(const std::string& yaml_text, const std::string& source_name,
                           const std::vector<std::string>& overrides = {});

// The Cartesian product of the sweep axes applied to the base values, in
// row-major order of the axes (the last axis varies fastest). A spec without
// a sweep section is one point; a loaded spec never has more than
// kMaxSweepPoints.
//
// With a `search:` section each trial is crossed with that product: trial 0
// at every grid point, then trial 1, ...; each point holds the trial's
// number under kTrialKey. The first form proposes every trial that needs no
// score (all of a random or sobol search, tpe's first batches); the second
// takes the trials' values (propose_trials).
std::vector<SpecValues> expand_sweep_points(const LoadedSpec& spec);
std::vector<SpecValues> expand_sweep_points(const LoadedSpec& spec, const std::vector<SpecValues>& trials);
// The Cartesian product of the `sweep:` axes alone.
std::vector<SpecValues> expand_grid(const LoadedSpec& spec);

}  // namespace popsweep::orchestrator
