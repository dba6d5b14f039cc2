// Rows of the data-stage tables (profiles, posts, media, follower_samples,
// media_problems) and the queries over them. Plain structs, so storage knows
// nothing of the readers that fill them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace popsweep::storage {

class Database;

struct ProfileRow {
  std::int64_t id = 0;
  std::string name;
  std::string source_dir;
  std::string source_format;
  std::int64_t ingested_at = 0;
};

struct PostRow {
  std::int64_t id = 0;
  std::string key;
  std::int64_t posted_at = 0;
  std::int64_t likes = 0;
  std::int64_t comments = 0;
  std::optional<std::int64_t> impressions;
  std::string kind;
  std::string caption;  // NFC-normalised text, empty when the input had none
};

struct MediaRow {
  std::int64_t id = 0;
  std::int64_t post_id = 0;
  int index = 0;
  std::string type;
  std::string path;
  std::string thumbnail_path;
  std::string content_hash;
  std::int64_t size_bytes = 0;
  std::string excluded_reason;
};

struct FollowerRow {
  std::int64_t sampled_at = 0;
  std::int64_t followers = 0;
};

// A media item joined with its post: what labelling, extraction and training
// read. `path` is absolute.
struct MediaOfPost {
  std::int64_t media_id = 0;
  std::string post_key;
  int media_index = 0;
  std::string media_type;
  std::string path;
  std::string thumbnail_path;  // absolute, empty when none
  std::string content_hash;
  std::string post_kind;
  std::int64_t posted_at = 0;
  std::int64_t likes = 0;
  std::int64_t comments = 0;
  std::optional<std::int64_t> impressions;
  bool excluded = false;
};

// A database holds one profile; nullopt before the first ingest.
std::optional<ProfileRow> find_profile(Database& db);
// Like find_profile, but throws a clear error when nothing was ingested yet.
ProfileRow require_profile(Database& db);

std::vector<PostRow> load_posts(Database& db, std::int64_t profile_id);
std::vector<MediaRow> load_media_of_profile(Database& db, std::int64_t profile_id);
std::vector<FollowerRow> load_followers(Database& db, std::int64_t profile_id);
// Every media item with its post, ordered by post time then media index.
// Excluded media (M10) are left out unless `include_excluded`.
std::vector<MediaOfPost> load_media_of_posts(Database& db, bool include_excluded = false);

// A stage that could not use a media file records why; the latest reason per
// (media, stage) wins. Cleared when the stage later succeeds.
void record_media_problem(Database& db, std::int64_t media_id, const std::string& stage,
                          const std::string& reason);
void clear_media_problem(Database& db, std::int64_t media_id, const std::string& stage);
struct MediaProblem {
  std::int64_t media_id = 0;
  std::string path;
  std::string stage;
  std::string reason;
};
std::vector<MediaProblem> load_media_problems(Database& db, const std::string& stage = "");

}  // namespace popsweep::storage
