#include "storage/glance_tables.h"

#include "common/error.h"
#include "storage/database.h"

namespace popsweep::storage {

void save_glance_squares(Database& db, std::int64_t feature_set_id,
                         const std::vector<GlanceSquareRow>& rows) {
  Transaction transaction(db);
  Statement insert = db.prepare(
      "INSERT OR REPLACE INTO glance_squares (feature_set_id, content_hash, side, pixels) VALUES (?, ?, ?, "
      "?)");
  for (const GlanceSquareRow& row : rows) {
    if (row.side <= 0 || row.pixels.size() != static_cast<size_t>(row.side) * row.side * 3)
      throw StorageError("a glance square of " + row.content_hash + " is not " + std::to_string(row.side) +
                         " x " + std::to_string(row.side) + " RGB pixels");
    insert.bind_all(feature_set_id, row.content_hash, row.side);
    insert.bind_blob(4, row.pixels.data(), row.pixels.size());
    insert.run();
  }
  transaction.commit();
}

std::map<std::string, GlanceSquareRow> load_glance_squares(Database& db, std::int64_t feature_set_id,
                                                           const std::set<std::string>& content_hashes) {
  Statement query =
      db.prepare("SELECT side, pixels FROM glance_squares WHERE feature_set_id = ? AND content_hash = ?");
  std::map<std::string, GlanceSquareRow> rows;
  for (const std::string& hash : content_hashes) {
    query.reset();
    query.bind_all(feature_set_id, hash);
    if (!query.step()) continue;
    GlanceSquareRow row;
    row.content_hash = hash;
    row.side = static_cast<int>(query.column_int(0));
    row.pixels = query.column_blob(1);
    rows.emplace(hash, std::move(row));
  }
  return rows;
}

}  // namespace popsweep::storage
