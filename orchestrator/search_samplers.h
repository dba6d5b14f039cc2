// How a search turns trial numbers into values: random (a counter-based
// stream, so trial i needs no other trial), sobol (the unscrambled Sobol
// sequence, Joe and Kuo's direction numbers) and tpe (a tree-structured
// Parzen estimator fitted to the scores of earlier batches). Trial i's values
// depend only on the search space, the settings and i, and for tpe also on
// the scores of the trials of earlier batches, taken in trial order: a batch
// is proposed whole, so its trials run in parallel and a rerun after a kill
// proposes the same values.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "orchestrator/search_space.h"
#include "orchestrator/spec_values.h"

namespace popsweep::orchestrator {

// What a trial is judged by (search.objective.*): the pooled validation
// accuracy over folds and repeats of these experiments at K classes, at the
// best or last epoch, minus the majority baseline when metric is
// accuracy_over_baseline.
struct SearchObjective {
  std::vector<std::string> experiments;
  int classes = 0;
  std::string metric = "accuracy";
  std::string epoch = "best";
};

struct SearchSettings {
  std::string method = "grid";  // grid, random, sobol, tpe
  int trials = 0;
  std::int64_t seed = 0;
  int batch = 1;            // tpe: trials proposed together
  int startup_trials = 10;  // tpe: a batch with fewer trials before it is drawn at random
  SearchObjective objective;
};

// Reads search.* from the spec values; the objective is completed from
// train.experiments and train.classes when they name a single one.
SearchSettings search_settings(const SpecValues& values);

// The first point of the Sobol sequence is the origin; trial i takes point
// i + 1 (Gray-code order), coordinates in [0, 1). At most kSobolDimensions.
inline constexpr int kSobolDimensions = 21;
std::vector<double> sobol_point(std::uint64_t index, int dimensions);

// A uniform number in [0, 1) that depends only on its arguments (SplitMix64
// over them): the random sampler's stream and TPE's.
double counter_uniform(std::int64_t seed, std::uint64_t trial, std::uint64_t draw, std::uint64_t salt);

// The score of a trial whose values are given, or nullopt while its jobs are
// not all done (TPE waits for every trial of the earlier batches).
using TrialScoreLookup = std::function<std::optional<double>(const SpecValues& trial_values)>;

// The values of the searched keys for trials 0..count-1. For tpe, the trials
// of batch b are proposed from the scores of trials < b * batch; if one of
// them has no score yet, the trials from batch b on cannot be proposed and are
// left out (the result is shorter than count).
std::vector<SpecValues> propose_trials(const std::vector<SearchDimension>& space,
                                       const SearchSettings& settings, int count,
                                       const TrialScoreLookup& score_of = {});

}  // namespace popsweep::orchestrator
