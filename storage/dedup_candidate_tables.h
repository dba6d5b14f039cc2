// Every candidate pair of a near-duplicate run (dedup_candidates): the pairs
// the feature search proposed and what was decided about each, kept as a
// duplicate or rejected by pixel verification, with why. Written by the
// dedup stage in the transaction that writes the removals, so the two
// always describe the same run.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace popsweep::storage {

class Database;

struct DedupCandidateRow {
  std::int64_t first_media_id = 0;
  std::int64_t second_media_id = 0;
  std::string media_type;                  // "image", "video" or "image-video"
  double distance = 0;                     // in feature space
  bool verified = false;                   // pixel verification ran on the pair
  bool kept = false;                       // a duplicate; false: verification rejected it
  std::optional<double> block_difference;  // verification's worst block, when it compared the pixels
  std::string reason;                      // one word: distance, blocks-agree, block-differs, ...
};

// Replaces the candidates of one feature set (under a ProfileScope, only
// that profile's), in one transaction.
void replace_dedup_candidates(Database& db, std::int64_t feature_set_id,
                              const std::vector<DedupCandidateRow>& rows);
// Closest first, then by media ids.
std::vector<DedupCandidateRow> load_dedup_candidates(Database& db, std::int64_t feature_set_id);

}  // namespace popsweep::storage
