#include "worker/train/seeds.h"

#include <limits>
#include <utility>

namespace popsweep::train {

std::uint64_t splitmix64(std::uint64_t value) {
  std::uint64_t z = value + 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t value) { return splitmix64(splitmix64(seed) ^ value); }

std::uint64_t mix_seed(std::uint64_t seed, std::string_view text) {
  // The length first, so "ab" + "c" and "a" + "bc" never collide when a
  // caller mixes several strings in turn.
  std::uint64_t state = mix_seed(seed, static_cast<std::uint64_t>(text.size()));
  for (size_t start = 0; start < text.size(); start += 8) {
    std::uint64_t chunk = 0;
    for (size_t i = start; i < text.size() && i < start + 8; ++i) {
      // Little-endian by construction, whatever the machine's byte order.
      chunk |= static_cast<std::uint64_t>(static_cast<unsigned char>(text[i])) << (8 * (i - start));
    }
    state = mix_seed(state, chunk);
  }
  return state;
}

std::uint64_t job_seed(std::uint64_t sweep_seed, int repeat, int fold, std::string_view experiment) {
  std::uint64_t seed = mix_seed(sweep_seed, std::string_view("popsweep.job"));
  seed = mix_seed(seed, static_cast<std::uint64_t>(static_cast<std::int64_t>(repeat)));
  seed = mix_seed(seed, static_cast<std::uint64_t>(static_cast<std::int64_t>(fold)));
  return mix_seed(seed, experiment);
}

std::uint64_t fold_seed(std::uint64_t sweep_seed, int repeat) {
  const std::uint64_t seed = mix_seed(sweep_seed, std::string_view("popsweep.folds"));
  return mix_seed(seed, static_cast<std::uint64_t>(static_cast<std::int64_t>(repeat)));
}

std::uint64_t uniform_below(std::mt19937_64& generator, std::uint64_t bound) {
  if (bound <= 1) return 0;
  // Reject the top partial block of 2^64 so every residue is equally likely.
  const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % bound;
  std::uint64_t draw = generator();
  while (draw >= limit) draw = generator();
  return draw % bound;
}

std::vector<std::int64_t> shuffled_indices(std::int64_t n, std::mt19937_64& generator) {
  std::vector<std::int64_t> order(static_cast<size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
  for (std::int64_t i = n - 1; i > 0; --i) {
    const auto j = static_cast<std::int64_t>(uniform_below(generator, static_cast<std::uint64_t>(i) + 1));
    std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
  }
  return order;
}

}  // namespace popsweep::train
