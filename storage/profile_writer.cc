#include "storage/profile_writer.h"

#include <ctime>

#include "storage/database.h"
#include "storage/profile_tables.h"

namespace popsweep::storage {
namespace {

// NULL for "not set", so the CHECK constraints and IS NULL queries work.
std::optional<std::string> null_if_empty(const std::string& text) {
  return text.empty() ? std::nullopt : std::optional<std::string>(text);
}

}  // namespace

std::int64_t upsert_profile(Database& db, const ProfileRow& profile) {
  db.prepare(
        "INSERT INTO profiles (name, source_dir, source_format, ingested_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (name) DO UPDATE SET source_dir = excluded.source_dir, "
        "source_format = excluded.source_format, ingested_at = excluded.ingested_at")
      .bind_all(profile.name, profile.source_dir, profile.source_format,
                static_cast<std::int64_t>(std::time(nullptr)))
      .run();
  Statement query = db.prepare("SELECT id FROM profiles WHERE name = ?");
  query.bind(1, profile.name);
  query.step();
  return query.column_int(0);
}

std::int64_t insert_post(Database& db, std::int64_t profile_id, const PostRow& post) {
  db.prepare(
        "INSERT INTO posts (profile_id, post_key, posted_at, likes, comments, impressions, kind, caption) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .bind_all(profile_id, post.key, post.posted_at, post.likes, post.comments, post.impressions, post.kind,
                post.caption)
      .run();
  return db.last_insert_id();
}

void update_post(Database& db, const PostRow& post) {
  db.prepare(
        "UPDATE posts SET posted_at = ?, likes = ?, comments = ?, impressions = ?, kind = ?, caption = ? "
        "WHERE id = ?")
      .bind_all(post.posted_at, post.likes, post.comments, post.impressions, post.kind, post.caption, post.id)
      .run();
}

void delete_post(Database& db, std::int64_t post_id) {
  db.prepare("DELETE FROM posts WHERE id = ?").bind(1, post_id).run();
}

std::int64_t insert_media(Database& db, const MediaRow& media) {
  db.prepare(
        "INSERT INTO media (post_id, media_index, media_type, path, thumbnail_path, content_hash, "
        "size_bytes, excluded_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .bind_all(media.post_id, media.index, media.type, media.path, null_if_empty(media.thumbnail_path),
                media.content_hash, media.size_bytes, null_if_empty(media.excluded_reason))
      .run();
  return db.last_insert_id();
}

void update_media(Database& db, const MediaRow& media) {
  db.prepare(
        "UPDATE media SET media_type = ?, path = ?, thumbnail_path = ?, content_hash = ?, size_bytes = ?, "
        "excluded_reason = ? WHERE id = ?")
      .bind_all(media.type, media.path, null_if_empty(media.thumbnail_path), media.content_hash,
                media.size_bytes, null_if_empty(media.excluded_reason), media.id)
      .run();
}

void delete_media(Database& db, std::int64_t media_id) {
  db.prepare("DELETE FROM media WHERE id = ?").bind(1, media_id).run();
}

void replace_followers(Database& db, std::int64_t profile_id, const std::vector<FollowerRow>& samples) {
  db.prepare("DELETE FROM follower_samples WHERE profile_id = ?").bind(1, profile_id).run();
  Statement insert =
      db.prepare("INSERT INTO follower_samples (profile_id, sampled_at, followers) VALUES (?, ?, ?)");
  for (const FollowerRow& sample : samples) insert.bind_all(profile_id, sample.sampled_at, sample.followers).run();
}

void drop_all_labels(Database& db) {
  if (scoped_profile_id() == 0) {
    db.execute("DELETE FROM label_configs");
    return;
  }
  // A study: the other profiles' labels stay.
  db.prepare(
        "DELETE FROM labels WHERE media_id IN (SELECT m.id FROM media m JOIN posts p ON p.id = m.post_id "
        "WHERE p.profile_id = ?)")
      .bind(1, scoped_profile_id())
      .run();
}

}  // namespace popsweep::storage
