// M9: which media of a near-duplicate group stays. A single post wins over a
// carousel; between two of the same kind, the most recent wins. Pairs are
// grouped into connected components, so a picture reposted three times keeps
// one copy.
#pragma once

#include <cstdint>
#include <vector>

namespace popsweep::features {

struct DuplicateCandidate {
  std::int64_t media_id = 0;
  bool in_carousel = false;
  std::int64_t posted_at = 0;
};

struct MatchedPair {
  int first = 0;  // indices into the candidates
  int second = 0;
  double distance = 0;
};

struct Removal {
  std::int64_t removed_media_id = 0;
  std::int64_t kept_media_id = 0;
  double distance = 0;  // to the closest member of its group that stays or links it
};

std::vector<Removal> resolve_duplicates(const std::vector<DuplicateCandidate>& candidates,
                                        const std::vector<MatchedPair>& pairs);

}  // namespace popsweep::features
