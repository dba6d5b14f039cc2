// The tree-structured Parzen estimator (Bergstra et al., 2011) behind
// `search.method: tpe`, on the unit cube of the search space: the scored
// trials are split into the best quarter and the rest, each dimension gets a
// Parzen density per side (Gaussian kernels plus a uniform prior), and of
// kTpeCandidates draws from the good side the one with the highest ratio
// good/rest wins. Every draw comes from counter_uniform, so a proposal depends
// only on the seed, the trial number and the earlier trials' scores.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "orchestrator/search_samplers.h"

namespace popsweep::orchestrator {

inline constexpr int kTpeCandidates = 24;
// The share of the history modelled as good.
inline constexpr double kTpeGoodFraction = 0.25;

// The unit coordinates of the next trial, fitted to trials [0, history_end)
// of `earlier` (their values); nullopt if one of them has no score yet.
std::optional<std::vector<double>> propose_tpe_point(const std::vector<SearchDimension>& space,
                                                     const std::vector<SpecValues>& earlier, int history_end,
                                                     const TrialScoreLookup& score_of, std::int64_t seed,
                                                     std::uint64_t trial);

}  // namespace popsweep::orchestrator
