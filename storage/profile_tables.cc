#include "storage/profile_tables.h"

#include <ctime>

#include "storage/database.h"

namespace popsweep::storage {
namespace {

std::string absolute_path(const std::string& source_dir, const std::string& relative) {
  if (relative.empty() || relative.front() == '/') return relative;
  return source_dir + "/" + relative;
}

// The coordinator's stages run on one thread; each job sets its profile.
thread_local std::int64_t scoped_profile = 0;

constexpr const char* kProfileColumns =
    "SELECT id, name, source_dir, source_format, ingested_at FROM profiles ";

ProfileRow profile_of(Statement& query) {
  return ProfileRow{query.column_int(0), query.column_text(1), query.column_text(2), query.column_text(3),
                    query.column_int(4)};
}

}  // namespace

ProfileScope::ProfileScope(std::int64_t profile_id) : previous_(scoped_profile) {
  scoped_profile = profile_id;
}
ProfileScope::~ProfileScope() { scoped_profile = previous_; }
std::int64_t scoped_profile_id() { return scoped_profile; }

std::optional<ProfileRow> find_profile(Database& db) {
  Statement query = db.prepare(std::string(kProfileColumns) + "WHERE ? = 0 OR id = ? ORDER BY id LIMIT 1");
  query.bind_all(scoped_profile, scoped_profile);
  if (!query.step()) return std::nullopt;
  return profile_of(query);
}

std::optional<ProfileRow> find_profile_named(Database& db, const std::string& name) {
  Statement query = db.prepare(std::string(kProfileColumns) + "WHERE name = ?");
  query.bind(1, name);
  if (!query.step()) return std::nullopt;
  return profile_of(query);
}

std::vector<ProfileRow> load_profiles(Database& db) {
  Statement query = db.prepare(std::string(kProfileColumns) + "ORDER BY id");
  std::vector<ProfileRow> rows;
  while (query.step()) rows.push_back(profile_of(query));
  return rows;
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
  require_profile(db);
  Statement query = db.prepare(
      "SELECT m.id, p.post_key, m.media_index, m.media_type, m.path, m.thumbnail_path, m.content_hash, "
      "p.kind, p.posted_at, p.likes, p.comments, p.impressions, m.excluded_reason IS NOT NULL, f.source_dir "
      "FROM media m JOIN posts p ON p.id = m.post_id JOIN profiles f ON f.id = p.profile_id "
      "WHERE (? = 0 OR p.profile_id = ?) "
      "AND (? OR m.excluded_reason IS NULL) ORDER BY p.posted_at, p.post_key, p.profile_id, m.media_index");
  query.bind_all(scoped_profile, scoped_profile, include_excluded ? 1 : 0);
  std::vector<MediaOfPost> rows;
  while (query.step()) {
    MediaOfPost row;
    row.media_id = query.column_int(0);
    row.post_key = query.column_text(1);
    row.media_index = static_cast<int>(query.column_int(2));
    row.media_type = query.column_text(3);
    const std::string source_dir = query.column_text(13);
    row.path = absolute_path(source_dir, query.column_text(4));
    row.thumbnail_path = absolute_path(source_dir, query.column_text(5));
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

void record_study_profiles(Database& db, std::int64_t sweep_id,
                           const std::vector<StudyProfileRow>& profiles) {
  Transaction transaction(db);
  db.prepare("DELETE FROM study_profiles WHERE sweep_id = ?").bind(1, sweep_id).run();
  Statement insert =
      db.prepare("INSERT INTO study_profiles (sweep_id, name, directory, failure) VALUES (?, ?, ?, ?)");
  for (const StudyProfileRow& row : profiles)
    insert.bind_all(sweep_id, row.name, row.directory, row.failure).run();
  transaction.commit();
}

std::vector<StudyProfileRow> load_study_profiles(Database& db, std::int64_t sweep_id) {
  Statement exists =
      db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'study_profiles'");
  if (!exists.step()) return {};
  Statement query =
      db.prepare("SELECT name, directory, failure FROM study_profiles WHERE sweep_id = ? ORDER BY name");
  query.bind(1, sweep_id);
  std::vector<StudyProfileRow> rows;
  while (query.step()) rows.push_back({query.column_text(0), query.column_text(1), query.column_text(2)});
  return rows;
}

}  // namespace popsweep::storage
