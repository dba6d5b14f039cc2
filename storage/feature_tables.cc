#include "storage/feature_tables.h"

#include <cstring>
#include <ctime>

#include "storage/database.h"
#include "storage/profile_tables.h"

namespace popsweep::storage {
namespace {

// The blob layout is little-endian float32; every platform popsweep targets
// (x86-64, aarch64) is little-endian, which this checks once at compile time.
static_assert(sizeof(float) == 4, "float32 features");

FeatureSetRow read_feature_set(const Statement& query) {
  FeatureSetRow row;
  row.id = query.column_int(0);
  row.key.backbone = query.column_text(1);
  row.key.weights_hash = query.column_text(2);
  row.key.preprocessing = query.column_text(3);
  row.key.dim = static_cast<int>(query.column_int(4));
  return row;
}

}  // namespace

std::int64_t ensure_feature_set(Database& db, const FeatureSetKey& key) {
  if (const std::optional<FeatureSetRow> existing = find_feature_set(db, key)) {
    if (existing->key.dim != key.dim) {
      throw StorageError("feature set " + key.backbone + " has dimension " + std::to_string(existing->key.dim) +
                         ", not " + std::to_string(key.dim));
    }
    return existing->id;
  }
  db.prepare(
        "INSERT INTO feature_sets (backbone, weights_hash, preprocessing, dim, created_at) VALUES (?, ?, ?, ?, ?)")
      .bind_all(key.backbone, key.weights_hash, key.preprocessing, key.dim,
                static_cast<std::int64_t>(std::time(nullptr)))
      .run();
  return db.last_insert_id();
}

std::optional<FeatureSetRow> find_feature_set(Database& db, const FeatureSetKey& key) {
  Statement query = db.prepare(
      "SELECT id, backbone, weights_hash, preprocessing, dim FROM feature_sets "
      "WHERE backbone = ? AND weights_hash = ? AND preprocessing = ?");
  query.bind_all(key.backbone, key.weights_hash, key.preprocessing);
  if (!query.step()) return std::nullopt;
  return read_feature_set(query);
}

std::optional<FeatureSetRow> feature_set_by_id(Database& db, std::int64_t id) {
  Statement query = db.prepare("SELECT id, backbone, weights_hash, preprocessing, dim FROM feature_sets WHERE id = ?");
  query.bind(1, id);
  if (!query.step()) return std::nullopt;
  return read_feature_set(query);
}

std::vector<FeatureSetRow> list_feature_sets(Database& db) {
  Statement query = db.prepare("SELECT id, backbone, weights_hash, preprocessing, dim FROM feature_sets ORDER BY id");
  std::vector<FeatureSetRow> rows;
  while (query.step()) rows.push_back(read_feature_set(query));
  return rows;
}

void save_features(Database& db, std::int64_t feature_set_id, const std::vector<FeatureRecord>& records) {
  Transaction transaction(db);
  Statement insert = db.prepare(
      "INSERT OR REPLACE INTO features (feature_set_id, content_hash, role, view, rows, data) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  for (const FeatureRecord& record : records) {
    insert.bind_all(feature_set_id, record.content_hash, record.role, record.view, record.rows);
    insert.bind_blob(6, record.values.data(), record.values.size() * sizeof(float));
    insert.run();
  }
  transaction.commit();
}

std::set<FeatureKey> stored_feature_keys(Database& db, std::int64_t feature_set_id) {
  Statement query = db.prepare("SELECT content_hash, role, view FROM features WHERE feature_set_id = ?");
  query.bind(1, feature_set_id);
  std::set<FeatureKey> keys;
  while (query.step()) keys.emplace(query.column_text(0), query.column_text(1), static_cast<int>(query.column_int(2)));
  return keys;
}

std::vector<FeatureRecord> load_features(Database& db, std::int64_t feature_set_id, const std::string& role,
                                         std::optional<int> view) {
  Statement query = db.prepare(
      "SELECT content_hash, view, rows, data FROM features WHERE feature_set_id = ? AND role = ? "
      "AND (? < 0 OR view = ?) ORDER BY content_hash, view");
  const int wanted_view = view ? *view : -1;
  query.bind_all(feature_set_id, role, wanted_view, wanted_view);
  std::vector<FeatureRecord> records;
  while (query.step()) {
    FeatureRecord record;
    record.content_hash = query.column_text(0);
    record.role = role;
    record.view = static_cast<int>(query.column_int(1));
    record.rows = static_cast<int>(query.column_int(2));
    const std::vector<std::uint8_t> blob = query.column_blob(3);
    record.values.resize(blob.size() / sizeof(float));
    std::memcpy(record.values.data(), blob.data(), record.values.size() * sizeof(float));
    records.push_back(std::move(record));
  }
  return records;
}

void save_video_info(Database& db, const VideoInfoRow& info) {
  db.prepare(
        "INSERT OR REPLACE INTO video_info (content_hash, duration, frame_rate, width, height) "
        "VALUES (?, ?, ?, ?, ?)")
      .bind_all(info.content_hash, info.duration, info.frame_rate, info.width, info.height)
      .run();
}

std::vector<VideoInfoRow> load_video_info(Database& db) {
  Statement query = db.prepare("SELECT content_hash, duration, frame_rate, width, height FROM video_info");
  std::vector<VideoInfoRow> rows;
  while (query.step()) {
    rows.push_back({query.column_text(0), query.column_double(1), query.column_double(2),
                    static_cast<int>(query.column_int(3)), static_cast<int>(query.column_int(4))});
  }
  return rows;
}

void replace_duplicates(Database& db, std::int64_t feature_set_id, const std::vector<DuplicateRow>& rows) {
  Transaction transaction(db);
  // Under a ProfileScope only that profile's duplicates are replaced (a study).
  db.prepare(
        "DELETE FROM duplicates WHERE feature_set_id = ? AND (? = 0 OR removed_media_id IN (SELECT m.id "
        "FROM media m JOIN posts p ON p.id = m.post_id WHERE p.profile_id = ?))")
      .bind_all(feature_set_id, scoped_profile_id(), scoped_profile_id())
      .run();
  Statement insert = db.prepare(
      "INSERT INTO duplicates (feature_set_id, removed_media_id, kept_media_id, distance, threshold) "
      "VALUES (?, ?, ?, ?, ?)");
  for (const DuplicateRow& row : rows) {
    insert.bind_all(feature_set_id, row.removed_media_id, row.kept_media_id, row.distance, row.threshold).run();
  }
  transaction.commit();
}

std::vector<DuplicateRow> load_duplicates(Database& db, std::int64_t feature_set_id) {
  Statement query = db.prepare(
      "SELECT removed_media_id, kept_media_id, distance, threshold FROM duplicates WHERE feature_set_id = ? "
      "ORDER BY removed_media_id");
  query.bind(1, feature_set_id);
  std::vector<DuplicateRow> rows;
  while (query.step()) {
    rows.push_back({query.column_int(0), query.column_int(1), query.column_double(2), query.column_double(3)});
  }
  return rows;
}

void save_dedup_run(Database& db, const DedupRunRow& run) {
  db.prepare(
        "INSERT OR REPLACE INTO dedup_runs (feature_set_id, threshold, suggested, explanation, images, videos, "
        "removed, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, strftime('%s','now'))")
      .bind_all(run.feature_set_id, run.threshold, run.suggested ? 1 : 0, run.explanation, run.images, run.videos,
                run.removed)
      .run();
}

std::optional<DedupRunRow> load_dedup_run(Database& db, std::int64_t feature_set_id) {
  Statement q = db.prepare(
      "SELECT feature_set_id, threshold, suggested, explanation, images, videos, removed FROM dedup_runs "
      "WHERE feature_set_id = ?");
  q.bind(1, feature_set_id);
  if (!q.step()) return std::nullopt;
  DedupRunRow run;
  run.feature_set_id = q.column_int(0);
  if (!q.column_is_null(1)) run.threshold = q.column_double(1);
  run.suggested = q.column_int(2) != 0;
  run.explanation = q.column_text(3);
  run.images = static_cast<int>(q.column_int(4));
  run.videos = static_cast<int>(q.column_int(5));
  run.removed = static_cast<int>(q.column_int(6));
  return run;
}

}  // namespace popsweep::storage
