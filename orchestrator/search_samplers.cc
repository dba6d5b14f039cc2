#include "orchestrator/search_samplers.h"

#include <array>

#include "orchestrator/search_tpe.h"

namespace popsweep::orchestrator {
namespace {

// Joe and Kuo's direction numbers (new-joe-kuo-6.21201, the table SciPy and
// Boost ship) for dimensions 2..21: the degree s of the primitive polynomial,
// its coefficients a, and the initial direction integers m_1..m_s.
// Dimension 1 is the van der Corput sequence (every m_k = 1).
struct DirectionNumbers {
  int s;
  unsigned a;
  std::array<std::uint32_t, 7> m;
};
constexpr std::array<DirectionNumbers, kSobolDimensions - 1> kJoeKuo{{
    {1, 0, {1}},
    {2, 1, {1, 3}},
    {3, 1, {1, 3, 1}},
    {3, 2, {1, 1, 1}},
    {4, 1, {1, 1, 3, 3}},
    {4, 4, {1, 3, 5, 13}},
    {5, 2, {1, 1, 5, 5, 17}},
    {5, 4, {1, 1, 5, 5, 5}},
    {5, 7, {1, 1, 7, 11, 19}},
    {5, 11, {1, 1, 5, 1, 1}},
    {5, 13, {1, 1, 1, 3, 11}},
    {5, 14, {1, 3, 5, 5, 31}},
    {6, 1, {1, 3, 3, 9, 7, 49}},
    {6, 13, {1, 1, 1, 15, 21, 21}},
    {6, 16, {1, 3, 1, 13, 27, 49}},
    {6, 19, {1, 1, 1, 15, 7, 5}},
    {6, 22, {1, 3, 1, 15, 13, 25}},
    {6, 25, {1, 1, 5, 5, 19, 61}},
    {7, 1, {1, 3, 7, 11, 23, 15, 103}},
    {7, 4, {1, 3, 7, 13, 13, 15, 69}},
}};

constexpr int kBits = 32;

// v[k] for k = 0..31: the direction integers of one dimension, scaled to 32 bits.
std::array<std::uint32_t, kBits> direction_integers(int dimension) {
  std::array<std::uint32_t, kBits> v{};
  if (dimension == 0) {
    for (int k = 0; k < kBits; ++k) v[k] = 1u << (kBits - 1 - k);
    return v;
  }
  const DirectionNumbers& d = kJoeKuo[dimension - 1];
  for (int k = 0; k < kBits; ++k) {
    if (k < d.s) {
      v[k] = d.m[k] << (kBits - 1 - k);
      continue;
    }
    std::uint32_t next = v[k - d.s] ^ (v[k - d.s] >> d.s);
    for (int j = 1; j < d.s; ++j) {
      if ((d.a >> (d.s - 1 - j)) & 1u) next ^= v[k - j];
    }
    v[k] = next;
  }
  return v;
}

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

std::vector<double> sobol_point(std::uint64_t index, int dimensions) {
  const std::uint64_t gray = index ^ (index >> 1);
  std::vector<double> point(static_cast<size_t>(dimensions));
  for (int d = 0; d < dimensions; ++d) {
    const std::array<std::uint32_t, kBits> v = direction_integers(d);
    std::uint32_t x = 0;
    for (int k = 0; k < kBits; ++k) {
      if ((gray >> k) & 1u) x ^= v[k];
    }
    point[d] = static_cast<double>(x) / 4294967296.0;
  }
  return point;
}

double counter_uniform(std::int64_t seed, std::uint64_t trial, std::uint64_t draw, std::uint64_t salt) {
  std::uint64_t h = splitmix64(static_cast<std::uint64_t>(seed));
  h = splitmix64(h ^ trial);
  h = splitmix64(h ^ draw);
  h = splitmix64(h ^ salt);
  return static_cast<double>(h >> 11) * 0x1.0p-53;  // 53 bits: exactly representable, below 1
}

SearchSettings search_settings(const SpecValues& values) {
  SearchSettings settings;
  settings.method = std::get<std::string>(values.at("search.method"));
  settings.trials = static_cast<int>(std::get<std::int64_t>(values.at("search.trials")));
  settings.seed = std::get<std::int64_t>(values.at("search.seed"));
  settings.batch = static_cast<int>(std::get<std::int64_t>(values.at("search.batch")));
  settings.startup_trials = static_cast<int>(std::get<std::int64_t>(values.at("search.startup_trials")));
  SearchObjective& objective = settings.objective;
  objective.experiments = std::get<std::vector<std::string>>(values.at("search.objective.experiments"));
  if (objective.experiments.empty())
    objective.experiments = std::get<std::vector<std::string>>(values.at("train.experiments"));
  objective.classes = static_cast<int>(std::get<std::int64_t>(values.at("search.objective.classes")));
  const auto& classes = std::get<std::vector<std::int64_t>>(values.at("train.classes"));
  if (objective.classes == 0 && classes.size() == 1) objective.classes = static_cast<int>(classes.front());
  objective.metric = std::get<std::string>(values.at("search.objective.metric"));
  objective.epoch = std::get<std::string>(values.at("search.objective.epoch"));
  return settings;
}

std::vector<SpecValues> propose_trials(const std::vector<SearchDimension>& space,
                                       const SearchSettings& settings, int count,
                                       const TrialScoreLookup& score_of) {
  std::vector<SpecValues> trials;
  for (int trial = 0; trial < count; ++trial) {
    std::vector<double> unit(space.size());
    if (settings.method == "sobol") {
      unit = sobol_point(static_cast<std::uint64_t>(trial) + 1, static_cast<int>(space.size()));
    } else if (const int batch_start = trial / settings.batch * settings.batch;
               settings.method == "tpe" && batch_start >= settings.startup_trials) {
      std::optional<std::vector<double>> proposed = propose_tpe_point(
          space, trials, batch_start, score_of, settings.seed, static_cast<std::uint64_t>(trial));
      if (!proposed) break;  // an earlier batch is not scored yet
      unit = *proposed;
    } else {
      for (size_t d = 0; d < space.size(); ++d) unit[d] = counter_uniform(settings.seed, trial, d, 0);
    }
    SpecValues values;
    for (size_t d = 0; d < space.size(); ++d) values[space[d].path] = value_at(space[d], unit[d]);
    trials.push_back(std::move(values));
  }
  return trials;
}

}  // namespace popsweep::orchestrator
