// The small pictures pixel verification's glance starts from (issue 21),
// stored by extraction, which has each picture decoded anyway: the dedup
// stage then glances at every candidate without decoding its files again
// (a decode at an eighth costs 1.35 ms a 1080 px photo, several ms a larger one).
// Kept per feature set, because they come from that set's decoding and
// input size: a dedup run on one set always reads that set's squares.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace popsweep::storage {

class Database;

struct GlanceSquareRow {
  std::string content_hash;
  int side = 0;
  std::vector<std::uint8_t> pixels;  // side x side RGB, 8-bit, row by row
};

void save_glance_squares(Database& db, std::int64_t feature_set_id, const std::vector<GlanceSquareRow>& rows);
// Those of `content_hashes` the set has, by content hash (a study's
// database holds every profile's pictures: only the candidates' are read).
std::map<std::string, GlanceSquareRow> load_glance_squares(Database& db, std::int64_t feature_set_id,
                                                           const std::set<std::string>& content_hashes);

}  // namespace popsweep::storage
