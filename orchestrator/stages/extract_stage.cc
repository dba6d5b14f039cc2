#include "orchestrator/stages/extract_stage.h"

#include <map>
#include <set>

#include "common/error.h"
#include "storage/database.h"
#include "storage/feature_tables.h"
#include "storage/glance_tables.h"
#include "storage/profile_tables.h"
#include "worker/features/feature_set_key.h"

namespace popsweep::orchestrator {
namespace {

std::int64_t feature_set_of(storage::Database& db, const nlohmann::json& params) {
  return storage::ensure_feature_set(db, features::feature_set_key(params.at("features")));
}

}  // namespace

RemoteDispatch ExtractStage::prepare_remote(const storage::JobRow& job) {
  const nlohmann::json params = nlohmann::json::parse(job.params);
  const nlohmann::json& features = params.at("features");
  const auto weights = options_.weights_path.find(features.dump());
  if (weights == options_.weights_path.end()) throw Error("no weights file known for this feature set");
  const std::int64_t set_id = feature_set_of(db_, params);
  const std::set<storage::FeatureKey> stored = storage::stored_feature_keys(db_, set_id);
  const int views = features.at("views").get<int>();
  const int shard = params.at("shard").get<int>(), shards = params.at("shards").get<int>();

  // One item per distinct file content, in content-hash order, so the shards
  // split the same way on every run.
  std::map<std::string, storage::MediaOfPost> by_hash;
  for (const storage::MediaOfPost& media : storage::load_media_of_posts(db_)) by_hash.emplace(media.content_hash, media);
  nlohmann::json items = nlohmann::json::array();
  int index = 0;
  for (const auto& [hash, media] : by_hash) {
    if (index++ % shards != shard) continue;
    nlohmann::json needed = nlohmann::json::array();
    if (media.media_type == "image") {
      for (int view = 0; view <= views; ++view) {
        if (!stored.count({hash, "image", view})) needed.push_back({"image", view});
      }
    } else {
      for (const char* role : {"frames", "thumbnail"}) {
        if (!stored.count({hash, role, 0})) needed.push_back({role, 0});
      }
    }
    if (needed.empty()) continue;
    items.push_back({{"hash", hash},
                     {"path", media.path},
                     {"type", media.media_type},
                     {"thumbnail", media.thumbnail_path},
                     {"needed", needed}});
  }
  dispatched_media_ = static_cast<long>(items.size());
  RemoteDispatch dispatch;
  dispatch.job = make_message("job", {{"params", params},
                                      {"weights_path", weights->second},
                                      {"batch", options_.batch},
                                      {"items", items}});
  return dispatch;
}

void record_extracted(storage::Database& db, std::int64_t set_id, const Message& message) {
  const nlohmann::json& header = message.header;
  std::vector<storage::FeatureRecord> records;
  if (header.contains("features") && !header.at("features").empty()) {
    if (message.blobs.empty()) throw Error("malformed extraction message: no feature values");
    const std::vector<float> values = blob_to_floats(message.blobs[0]);
    const std::optional<storage::FeatureSetRow> set = storage::feature_set_by_id(db, set_id);
    size_t offset = 0;
    for (const nlohmann::json& f : header.at("features")) {
      storage::FeatureRecord record;
      record.content_hash = f.at(0).get<std::string>();
      record.role = f.at(1).get<std::string>();
      record.view = f.at(2).get<int>();
      record.rows = f.at(3).get<int>();
      const size_t count = static_cast<size_t>(record.rows) * static_cast<size_t>(set->key.dim);
      if (offset + count > values.size()) throw Error("malformed extraction message: too few feature values");
      record.values.assign(values.begin() + static_cast<std::ptrdiff_t>(offset),
                           values.begin() + static_cast<std::ptrdiff_t>(offset + count));
      offset += count;
      records.push_back(std::move(record));
    }
  }
  if (!records.empty()) storage::save_features(db, set_id, records);
  // The glance squares (worker/features/pixel_verification.h), in the same
  // transaction as the features: a feature stored by this version always
  // has its square. Messages of workers from before have none.
  std::vector<storage::GlanceSquareRow> squares;
  size_t glance_offset = 0;
  for (const nlohmann::json& g : header.value("glances", nlohmann::json::array())) {
    storage::GlanceSquareRow row;
    row.content_hash = g.at(0).get<std::string>();
    row.side = g.at(1).get<int>();
    const size_t bytes = static_cast<size_t>(row.side) * static_cast<size_t>(row.side) * 3;
    if (row.side <= 0 || message.blobs.size() < 2 || glance_offset + bytes > message.blobs[1].size())
      throw Error("malformed extraction message: too few glance pixels");
    const auto* first = reinterpret_cast<const std::uint8_t*>(message.blobs[1].data()) + glance_offset;
    row.pixels.assign(first, first + bytes);
    glance_offset += bytes;
    squares.push_back(std::move(row));
  }
  if (!squares.empty()) storage::save_glance_squares(db, set_id, squares);
  for (const nlohmann::json& v : header.value("videos", nlohmann::json::array())) {
    storage::save_video_info(db, {v.at(0).get<std::string>(), v.at(1).get<double>(), v.at(2).get<double>(),
                                  v.at(3).get<int>(), v.at(4).get<int>()});
  }
  const nlohmann::json problems = header.value("problems", nlohmann::json::array());
  if (!problems.empty()) {
    std::map<std::string, std::vector<std::int64_t>> media_of_hash;
    for (const storage::MediaOfPost& media : storage::load_media_of_posts(db)) {
      media_of_hash[media.content_hash].push_back(media.media_id);
    }
    for (const nlohmann::json& p : problems) {
      for (const std::int64_t id : media_of_hash[p.at(0).get<std::string>()]) {
        storage::record_media_problem(db, id, "extract", p.at(1).get<std::string>());
      }
    }
  }
}

void ExtractStage::record_partial(const storage::JobRow& job, const Message& partial) {
  record_extracted(db_, feature_set_of(db_, nlohmann::json::parse(job.params)), partial);
}

void ExtractStage::record_result(const storage::JobRow& job, const Message& result) {
  record_extracted(db_, feature_set_of(db_, nlohmann::json::parse(job.params)), result);
}

}  // namespace popsweep::orchestrator
