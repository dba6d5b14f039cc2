// The one source of randomness of the synthetic profile generator. Draws are
// computed from the raw 64-bit output of std::mt19937_64 by formulas written
// here, not by the standard library's distributions, whose algorithms differ
// between implementations: a seed gives the same profile with any compiler.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

namespace popsweep::synth {

class SynthRandom {
 public:
  explicit SynthRandom(std::uint64_t seed) : engine_(seed) {}

  std::uint64_t bits() { return engine_(); }
  // Uniform in [0, 1).
  double unit();
  // Uniform in [low, high).
  double uniform(double low, double high) { return low + (high - low) * unit(); }
  // Uniform integer in [low, high], both included.
  int integer(int low, int high);
  bool chance(double probability) { return unit() < probability; }
  double normal(double mean = 0.0, double sigma = 1.0);
  // An index drawn with probability proportional to `weights`.
  size_t weighted_index(const std::vector<double>& weights);

  template <typename T>
  void shuffle(std::vector<T>& items) {
    for (size_t i = items.size(); i > 1; --i) {
      const size_t j = static_cast<size_t>(integer(0, static_cast<int>(i - 1)));
      std::iter_swap(items.begin() + (i - 1), items.begin() + j);  // works for vector<bool> too
    }
  }

 private:
  std::mt19937_64 engine_;
};

// A seed for an independent stream (one media file, one frame texture), so
// that media can be rendered in any order, on any thread, with equal bytes.
std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream, std::uint64_t index);

}  // namespace popsweep::synth
