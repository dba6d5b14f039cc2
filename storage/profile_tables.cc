#include "storage/profile_tables.h"

#include <ctime>

#include "storage/database.h"

namespace popsweep::storage {
namespace {

std::string absolute_path(const std::string& source_dir, const std::string& relative) {
  if (relative.empty() || relative.front() == '/') return relative;
  return source_dir + "/" + relative;
}

}  // namespace

std::optional<ProfileRow> find_profile(Database& db) {
  Statement query = db.prepare(
      "SELECT id, name, source_dir, source_format, ingested_at FROM profiles ORDER BY id LIMIT 1");
  if (!query.step()) return std::nullopt;
  return ProfileRow{query.column_int(0), query.column_text(1), query.column_text(2), query.column_text(3),
                    query.column_int(4)};
}

ProfileRow require_profile(Database& db) {
  std::optional<ProfileRow> profile = find_profile(db);
  if (!profile) {
    throw StorageError(db.path() + " holds no profile yet: run `popsweep ingest --profile DIR --db " +
                       db.path() + "` first");
  }
  return *profile;
}

std::vector<PostRow> load_posts(Database& db, std::int64_t profile_id) {
  Statement query = db.prepare(
      "SELECT id, post_key, posted_at, likes, comments, impressions, kind, caption FROM posts "
      "WHERE profile_id = ? ORDER BY posted_at, post_key");
  query.bind(1, profile_id);
  std::vector<PostRow> rows;
  while (query.step()) {
    rows.push_back({query.column_int(0), query.column_text(1), query.column_int(2), query.column_int(3),
                    query.column_int(4), query.column_optional_int(5), query.column_text(6), query.column_text(7)});
  }
  return rows;
}

std::vector<MediaRow> load_media_of_profile(Database& db, std::int64_t profile_id) {
  Statement query = db.prepare(
      "SELECT m.id, m.post_id, m.media_index, m.media_type, m.path, m.thumbnail_path, m.content_hash, "
      "m.size_bytes, m.excluded_reason FROM media m JOIN posts p ON p.id = m.post_id "
      "WHERE p.profile_id = ? ORDER BY m.post_id, m.media_index");
  query.bind(1, profile_id);
  std::vector<MediaRow> rows;
  while (query.step()) {
    rows.push_back({query.column_int(0), query.column_int(1), static_cast<int>(query.column_int(2)),
                    query.column_text(3), query.column_text(4), query.column_text(5), query.column_text(6),
                    query.column_int(7), query.column_text(8)});
  }
  return rows;
}

std::vector<FollowerRow> load_followers(Database& db, std::int64_t profile_id) {
  Statement query = db.prepare(
      "SELECT sampled_at, followers FROM follower_samples WHERE profile_id = ? ORDER BY sampled_at");
  query.bind(1, profile_id);
  std::vector<FollowerRow> rows;
  while (query.step()) rows.push_back({query.column_int(0), query.column_int(1)});
  return rows;
}

std::vector<MediaOfPost> load_media_of_posts(Database& db, bool include_excluded) {
  const ProfileRow profile = require_profile(db);
  Statement query = db.prepare(
      "SELECT m.id, p.post_key, m.media_index, m.media_type, m.path, m.thumbnail_path, m.content_hash, "
      "p.kind, p.posted_at, p.likes, p.comments, p.impressions, m.excluded_reason IS NOT NULL "
      "FROM media m JOIN posts p ON p.id = m.post_id WHERE p.profile_id = ? "
      "AND (? OR m.excluded_reason IS NULL) ORDER BY p.posted_at, p.post_key, m.media_index");
  query.bind(1, profile.id).bind(2, include_excluded ? 1 : 0);
  std::vector<MediaOfPost> rows;
  while (query.step()) {
    MediaOfPost row;
    row.media_id = query.column_int(0);
    row.post_key = query.column_text(1);
    row.media_index = static_cast<int>(query.column_int(2));
    row.media_type = query.column_text(3);
    row.path = absolute_path(profile.source_dir, query.column_text(4));
    row.thumbnail_path = absolute_path(profile.source_dir, query.column_text(5));
    row.content_hash = query.column_text(6);
    row.post_kind = query.column_text(7);
    row.posted_at = query.column_int(8);
    row.likes = query.column_int(9);
    row.comments = query.column_int(10);
    row.impressions = query.column_optional_int(11);
    row.excluded = query.column_int(12) != 0;
    rows.push_back(std::move(row));
  }
  return rows;
}

void record_media_problem(Database& db, std::int64_t media_id, const std::string& stage,
                          const std::string& reason) {
  db.prepare(
        "INSERT INTO media_problems (media_id, stage, reason, recorded_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (media_id, stage) DO UPDATE SET reason = excluded.reason, "
        "recorded_at = excluded.recorded_at")
      .bind_all(media_id, stage, reason, static_cast<std::int64_t>(std::time(nullptr)))
      .run();
}

void clear_media_problem(Database& db, std::int64_t media_id, const std::string& stage) {
  db.prepare("DELETE FROM media_problems WHERE media_id = ? AND stage = ?").bind_all(media_id, stage).run();
}

std::vector<MediaProblem> load_media_problems(Database& db, const std::string& stage) {
  Statement query = db.prepare(
      "SELECT mp.media_id, m.path, mp.stage, mp.reason FROM media_problems mp "
      "JOIN media m ON m.id = mp.media_id WHERE (? = '' OR mp.stage = ?) ORDER BY mp.stage, m.path");
  query.bind_all(stage, stage);
  std::vector<MediaProblem> rows;
  while (query.step()) {
    rows.push_back({query.column_int(0), query.column_text(1), query.column_text(2), query.column_text(3)});
  }
  return rows;
}

}  // namespace popsweep::storage
