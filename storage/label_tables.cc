#include "storage/label_tables.h"

#include <ctime>

#include "storage/database.h"
#include "storage/profile_tables.h"

namespace popsweep::storage {

std::int64_t save_labels(Database& db, const LabelConfigRow& config, const std::vector<LabelRow>& labels) {
  Transaction transaction(db);
  db.prepare(
        "INSERT INTO label_configs (classes, window_weeks, mode, computed_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (classes, window_weeks, mode) DO UPDATE SET computed_at = excluded.computed_at")
      .bind_all(config.classes, config.window_weeks, config.mode, static_cast<std::int64_t>(std::time(nullptr)))
      .run();
  const std::optional<LabelConfigRow> stored = find_label_config(db, config.classes, config.window_weeks, config.mode);
  // Under a ProfileScope only that profile's labels are replaced: the other
  // profiles of a study keep theirs.
  db.prepare(
        "DELETE FROM labels WHERE label_config_id = ? AND (? = 0 OR media_id IN (SELECT m.id FROM media m "
        "JOIN posts p ON p.id = m.post_id WHERE p.profile_id = ?))")
      .bind_all(stored->id, scoped_profile_id(), scoped_profile_id())
      .run();
  Statement insert = db.prepare(
      "INSERT INTO labels (label_config_id, media_id, followers, extrapolated, por, class) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  for (const LabelRow& label : labels) {
    insert.bind_all(stored->id, label.media_id, label.followers, label.extrapolated ? 1 : 0, label.por,
                    label.popularity_class)
        .run();
  }
  transaction.commit();
  return stored->id;
}

std::optional<LabelConfigRow> find_label_config(Database& db, int classes, double window_weeks,
                                                const std::string& mode) {
  Statement query = db.prepare(
      "SELECT id, classes, window_weeks, mode FROM label_configs WHERE classes = ? AND window_weeks = ? "
      "AND mode = ?");
  query.bind_all(classes, window_weeks, mode);
  if (!query.step()) return std::nullopt;
  return LabelConfigRow{query.column_int(0), static_cast<int>(query.column_int(1)), query.column_double(2),
                        query.column_text(3)};
}

std::vector<LabelRow> load_labels(Database& db, std::int64_t label_config_id) {
  Statement query = db.prepare(
      "SELECT media_id, followers, extrapolated, por, class FROM labels WHERE label_config_id = ? "
      "ORDER BY media_id");
  query.bind(1, label_config_id);
  std::vector<LabelRow> rows;
  while (query.step()) {
    rows.push_back({query.column_int(0), query.column_double(1), query.column_int(2) != 0,
                    query.column_double(3), static_cast<int>(query.column_int(4))});
  }
  return rows;
}

}  // namespace popsweep::storage
