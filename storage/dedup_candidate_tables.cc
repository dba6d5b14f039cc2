#include "storage/dedup_candidate_tables.h"

#include "storage/database.h"
#include "storage/profile_tables.h"

namespace popsweep::storage {

void replace_dedup_candidates(Database& db, std::int64_t feature_set_id,
                              const std::vector<DedupCandidateRow>& rows) {
  Transaction transaction(db);
  // A study's dedup runs per profile, and a pair never crosses profiles.
  db.prepare(
        "DELETE FROM dedup_candidates WHERE feature_set_id = ? AND (? = 0 OR first_media_id IN (SELECT m.id "
        "FROM media m JOIN posts p ON p.id = m.post_id WHERE p.profile_id = ?))")
      .bind_all(feature_set_id, scoped_profile_id(), scoped_profile_id())
      .run();
  Statement insert = db.prepare(
      "INSERT INTO dedup_candidates (feature_set_id, first_media_id, second_media_id, media_type, distance, "
      "verified, kept, block_difference, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  for (const DedupCandidateRow& row : rows) {
    insert
        .bind_all(feature_set_id, row.first_media_id, row.second_media_id, row.media_type, row.distance,
                  row.verified ? 1 : 0, row.kept ? 1 : 0, row.block_difference, row.reason)
        .run();
  }
  transaction.commit();
}

std::vector<DedupCandidateRow> load_dedup_candidates(Database& db, std::int64_t feature_set_id) {
  Statement query = db.prepare(
      "SELECT first_media_id, second_media_id, media_type, distance, verified, kept, block_difference, "
      "reason "
      "FROM dedup_candidates WHERE feature_set_id = ? ORDER BY distance, first_media_id, second_media_id");
  query.bind(1, feature_set_id);
  std::vector<DedupCandidateRow> rows;
  while (query.step()) {
    DedupCandidateRow row;
    row.first_media_id = query.column_int(0);
    row.second_media_id = query.column_int(1);
    row.media_type = query.column_text(2);
    row.distance = query.column_double(3);
    row.verified = query.column_int(4) != 0;
    row.kept = query.column_int(5) != 0;
    if (!query.column_is_null(6)) row.block_difference = query.column_double(6);
    row.reason = query.column_text(7);
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace popsweep::storage
