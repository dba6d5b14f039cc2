// The feature store: embeddings per (feature set, media content, role, view),
// stored as little-endian float32 blobs of rows x dim, and the video facts
// that near-duplicate matching needs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <set>
#include <vector>

namespace popsweep::storage {

class Database;

// What makes two embeddings comparable: the same backbone, the same weights
// (their SHA-256, or "random:<seed>") and the same preprocessing.
struct FeatureSetKey {
  std::string backbone;
  std::string weights_hash;
  std::string preprocessing;
  int dim = 0;
};

struct FeatureSetRow {
  std::int64_t id = 0;
  FeatureSetKey key;
};

std::int64_t ensure_feature_set(Database& db, const FeatureSetKey& key);
std::optional<FeatureSetRow> find_feature_set(Database& db, const FeatureSetKey& key);
std::optional<FeatureSetRow> feature_set_by_id(Database& db, std::int64_t id);
std::vector<FeatureSetRow> list_feature_sets(Database& db);

struct FeatureRecord {
  std::string content_hash;
  std::string role;  // image, frames, thumbnail
  int view = 0;
  int rows = 1;
  std::vector<float> values;  // rows x dim, row-major
};

// Writes a batch in one transaction (a killed extraction loses at most the
// batch in flight). Existing records with the same key are replaced.
void save_features(Database& db, std::int64_t feature_set_id, const std::vector<FeatureRecord>& records);

using FeatureKey = std::tuple<std::string, std::string, int>;  // content hash, role, view
std::set<FeatureKey> stored_feature_keys(Database& db, std::int64_t feature_set_id);

// All records of one role (every view unless `view` is given).
std::vector<FeatureRecord> load_features(Database& db, std::int64_t feature_set_id, const std::string& role,
                                         std::optional<int> view = std::nullopt);

struct VideoInfoRow {
  std::string content_hash;
  double duration = 0;
  double frame_rate = 0;
  int width = 0;
  int height = 0;
};
void save_video_info(Database& db, const VideoInfoRow& info);
std::vector<VideoInfoRow> load_video_info(Database& db);

struct DuplicateRow {
  std::int64_t removed_media_id = 0;
  std::int64_t kept_media_id = 0;
  double distance = 0;
  double threshold = 0;
};
// Replaces the duplicates found with one feature set, in one transaction.
void replace_duplicates(Database& db, std::int64_t feature_set_id, const std::vector<DuplicateRow>& rows);
std::vector<DuplicateRow> load_duplicates(Database& db, std::int64_t feature_set_id);

struct DedupRunRow {
  std::int64_t feature_set_id = 0;
  std::optional<double> threshold;  // nullopt: no duplicates suggested
  bool suggested = false;           // true when the threshold was suggested, not given
  std::string explanation;
  int images = 0;
  int videos = 0;
  int removed = 0;
};
void save_dedup_run(Database& db, const DedupRunRow& run);
std::optional<DedupRunRow> load_dedup_run(Database& db, std::int64_t feature_set_id);

}  // namespace popsweep::storage
