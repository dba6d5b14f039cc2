#include "worker/synth/synth_random.h"

#include <cmath>

namespace popsweep::synth {
namespace {

constexpr double kTwoPi = 6.283185307179586;

// SplitMix64's finaliser: neighbouring inputs give unrelated outputs.
std::uint64_t mix(std::uint64_t value) {
  value += 0x9e3779b97f4a7c15ULL;
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
  return value ^ (value >> 31);
}

}  // namespace

double SynthRandom::unit() {
  // The top 53 bits fill a double's mantissa exactly.
  return static_cast<double>(engine_() >> 11) * 0x1.0p-53;
}

int SynthRandom::integer(int low, int high) {
  if (high <= low) return low;
  const std::uint64_t span = static_cast<std::uint64_t>(high - low) + 1;
  return low + static_cast<int>(static_cast<std::uint64_t>(unit() * static_cast<double>(span)) % span);
}

double SynthRandom::normal(double mean, double sigma) {
  // Box-Muller; 1 - unit() lies in (0, 1], so the logarithm is finite.
  const double radius = std::sqrt(-2.0 * std::log(1.0 - unit()));
  return mean + sigma * radius * std::cos(kTwoPi * unit());
}

size_t SynthRandom::weighted_index(const std::vector<double>& weights) {
  double total = 0;
  for (double weight : weights) total += weight;
  double target = unit() * total;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (target < weights[i]) return i;
    target -= weights[i];
  }
  return weights.empty() ? 0 : weights.size() - 1;
}

std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream, std::uint64_t index) {
  return mix(mix(mix(seed) ^ stream) ^ index);
}

}  // namespace popsweep::synth
