// Seeds for training jobs, stable across runs, machines, compilers and
// builds. Everything random in worker/train (initial weights, dropout masks,
// batch order, fold assignment, augmented-view choice) is derived from these
// functions through SplitMix64, never from the time, std::hash (which differs
// between standard libraries) or a global generator.
#pragma once

#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

namespace popsweep::train {

// One SplitMix64 step: a bijective, well-mixed 64-bit hash.
std::uint64_t splitmix64(std::uint64_t value);

// Folds `value` into `seed`; order matters, so (a, b) and (b, a) differ.
std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t value);

// A 64-bit hash of a string's bytes, the same on every platform.
std::uint64_t mix_seed(std::uint64_t seed, std::string_view text);

// The seed of one training job: a sweep's seed, the repeat and fold (M19), and
// the experiment's identity (its name and canonical parameters, as the
// orchestrator writes them). Two jobs differing in any field get unrelated seeds.
std::uint64_t job_seed(std::uint64_t sweep_seed, int repeat, int fold, std::string_view experiment);

// The seed of a repeat's fold assignment. It depends on the sweep seed and the
// repeat only, so every experiment validated on the same items (the three video
// experiments, M19) shares one set of folds.
std::uint64_t fold_seed(std::uint64_t sweep_seed, int repeat);

// A number in [0, bound) from `generator`, by rejection, so the result does
// not depend on how a standard library implements its distributions.
std::uint64_t uniform_below(std::mt19937_64& generator, std::uint64_t bound);

// 0..n-1 in an order drawn by Fisher-Yates with uniform_below (std::shuffle's
// algorithm is not specified, so it would differ between libraries).
std::vector<std::int64_t> shuffled_indices(std::int64_t n, std::mt19937_64& generator);

}  // namespace popsweep::train
