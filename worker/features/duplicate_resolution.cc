#include "worker/features/duplicate_resolution.h"

#include <cstddef>
#include <limits>
#include <map>
#include <numeric>

namespace popsweep::features {
namespace {

int find_root(std::vector<int>& parent, int i) {
  while (parent[static_cast<std::size_t>(i)] != i) {
    parent[static_cast<std::size_t>(i)] = parent[static_cast<std::size_t>(parent[static_cast<std::size_t>(i)])];
    i = parent[static_cast<std::size_t>(i)];
  }
  return i;
}

// True when a should stay rather than b.
bool preferred(const DuplicateCandidate& a, const DuplicateCandidate& b) {
  if (a.in_carousel != b.in_carousel) return !a.in_carousel;
  if (a.posted_at != b.posted_at) return a.posted_at > b.posted_at;
  return a.media_id > b.media_id;  // a stable tie-break
}

}  // namespace

std::vector<Removal> resolve_duplicates(const std::vector<DuplicateCandidate>& candidates,
                                        const std::vector<MatchedPair>& pairs) {
  std::vector<int> parent(candidates.size());
  std::iota(parent.begin(), parent.end(), 0);
  for (const MatchedPair& pair : pairs) {
    parent[static_cast<std::size_t>(find_root(parent, pair.first))] = find_root(parent, pair.second);
  }
  std::map<int, std::vector<int>> groups;
  for (int i = 0; i < static_cast<int>(candidates.size()); ++i) groups[find_root(parent, i)].push_back(i);

  // The distance reported for a removed item: its closest partner in the pairs.
  std::vector<double> closest(candidates.size(), std::numeric_limits<double>::infinity());
  for (const MatchedPair& pair : pairs) {
    closest[static_cast<std::size_t>(pair.first)] = std::min(closest[static_cast<std::size_t>(pair.first)], pair.distance);
    closest[static_cast<std::size_t>(pair.second)] = std::min(closest[static_cast<std::size_t>(pair.second)], pair.distance);
  }
  std::vector<Removal> removals;
  for (const auto& [root, members] : groups) {
    if (members.size() < 2) continue;
    int keeper = members.front();
    for (const int m : members) {
      if (preferred(candidates[static_cast<std::size_t>(m)], candidates[static_cast<std::size_t>(keeper)])) keeper = m;
    }
    for (const int m : members) {
      if (m == keeper) continue;
      removals.push_back({candidates[static_cast<std::size_t>(m)].media_id, candidates[static_cast<std::size_t>(keeper)].media_id,
                          closest[static_cast<std::size_t>(m)]});
    }
  }
  return removals;
}

}  // namespace popsweep::features
