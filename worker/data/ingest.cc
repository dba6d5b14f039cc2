#include "worker/data/ingest.h"

#include <fmt/format.h>

#include <map>

#include "common/error.h"
#include "common/fault_points.h"
#include "common/file_util.h"
#include "common/sha256.h"
#include "storage/database.h"
#include "storage/profile_tables.h"
#include "storage/profile_writer.h"
#include "worker/data/exclusion_list.h"
#include "worker/data/instaloader_reader.h"
#include "worker/data/popsweep_reader.h"

namespace popsweep::data {
namespace {

using storage::Database;

Profile read_profile(const IngestOptions& options) {
  if (options.format == "popsweep") return read_popsweep_profile(options.profile_dir);
  if (options.format == "instaloader") {
    if (options.followers_csv.empty()) {
      throw ConfigError("--format instaloader needs --followers FILE (Instaloader keeps no follower history)");
    }
    return read_instaloader_profile(options.profile_dir, options.followers_csv);
  }
  throw ConfigError("unknown --format '" + options.format + "' (expected popsweep or instaloader)");
}

void hash_media(Profile& profile) {
  for (Post& post : profile.posts) {
    for (MediaItem& item : post.media) {
      const std::string path = join_path(profile.source_dir, item.path);
      item.content_hash = sha256_file_hex(path);
      item.size_bytes = file_size(path);
    }
  }
}

storage::PostRow to_row(const Post& post) {
  storage::PostRow row;
  row.key = post.key;
  row.posted_at = post.posted_at;
  row.likes = post.likes;
  row.comments = post.comments;
  row.impressions = post.impressions;
  row.kind = to_string(post.kind);
  row.caption = post.caption;
  return row;
}

storage::MediaRow to_row(const MediaItem& item, std::int64_t post_id) {
  storage::MediaRow row;
  row.post_id = post_id;
  row.index = item.index;
  row.type = to_string(item.type);
  row.path = item.path;
  row.thumbnail_path = item.thumbnail_path;
  row.content_hash = item.content_hash;
  row.size_bytes = item.size_bytes;
  row.excluded_reason = item.excluded_reason;
  return row;
}

bool same_post(const storage::PostRow& a, const storage::PostRow& b) {
  return a.posted_at == b.posted_at && a.likes == b.likes && a.comments == b.comments &&
         a.impressions == b.impressions && a.kind == b.kind;
}

bool same_media(const storage::MediaRow& a, const storage::MediaRow& b) {
  return a.type == b.type && a.path == b.path && a.thumbnail_path == b.thumbnail_path &&
         a.content_hash == b.content_hash && a.size_bytes == b.size_bytes &&
         a.excluded_reason == b.excluded_reason;
}

// Brings the database in line with `profile`, touching only what differs, so
// media ids (and the features keyed on them) survive a re-ingest.
void synchronise(Database& db, const Profile& profile, bool among_others, IngestReport& report) {
  // Read and write under one write lock, so a concurrent ingest cannot slip in.
  storage::Transaction transaction(db);
  const std::optional<storage::ProfileRow> existing =
      among_others ? storage::find_profile_named(db, profile.name) : storage::find_profile(db);
  if (existing && existing->name != profile.name) {
    throw ConfigError(db.path() + " already holds profile '" + existing->name + "' (from " +
                      existing->source_dir + "); use one database per profile");
  }
  const bool source_moved = existing && (existing->source_dir != profile.source_dir ||
                                         existing->source_format != profile.format);
  std::map<std::string, storage::PostRow> stored_posts;
  std::map<std::int64_t, std::map<int, storage::MediaRow>> stored_media;  // post id -> index -> row
  std::vector<storage::FollowerRow> stored_followers;
  if (existing) {
    for (storage::PostRow& row : storage::load_posts(db, existing->id)) stored_posts[row.key] = row;
    for (storage::MediaRow& row : storage::load_media_of_profile(db, existing->id)) {
      stored_media[row.post_id][row.index] = row;
    }
    stored_followers = storage::load_followers(db, existing->id);
  }

  const std::int64_t profile_id = existing && !source_moved
                                      ? existing->id
                                      : storage::upsert_profile(db, {0, profile.name, profile.source_dir,
                                                                     profile.format, 0});
  bool labels_stale = false;
  bool caption_changed = false;
  for (const Post& post : profile.posts) {
    storage::PostRow row = to_row(post);
    std::int64_t post_id = 0;
    const auto found = stored_posts.find(post.key);
    if (found == stored_posts.end()) {
      post_id = storage::insert_post(db, profile_id, row);
      ++report.posts_added;
      labels_stale = true;
    } else {
      post_id = row.id = found->second.id;
      // A new caption changes the context features but no label.
      const bool counts_changed = !same_post(row, found->second);
      if (counts_changed || row.caption != found->second.caption) {
        storage::update_post(db, row);
        ++report.posts_updated;
        labels_stale = labels_stale || counts_changed;
        caption_changed = true;
      }
      stored_posts.erase(found);
    }
    std::map<int, storage::MediaRow>& old_media = stored_media[post_id];
    for (const MediaItem& item : post.media) {
      storage::MediaRow media = to_row(item, post_id);
      const auto old = old_media.find(item.index);
      if (old == old_media.end()) {
        storage::insert_media(db, media);
        labels_stale = true;
      } else {
        media.id = old->second.id;
        if (!same_media(media, old->second)) {
          storage::update_media(db, media);
          labels_stale = true;
        }
        old_media.erase(old);
      }
    }
    for (const auto& [index, leftover] : old_media) {
      storage::delete_media(db, leftover.id);
      labels_stale = true;
    }
  }
  for (const auto& [key, gone] : stored_posts) {
    storage::delete_post(db, gone.id);
    ++report.posts_removed;
    labels_stale = true;
  }
  std::vector<storage::FollowerRow> followers;
  for (const FollowerSample& sample : profile.followers) followers.push_back({sample.at, sample.followers});
  const bool followers_changed =
      followers.size() != stored_followers.size() ||
      !std::equal(followers.begin(), followers.end(), stored_followers.begin(),
                  [](const storage::FollowerRow& a, const storage::FollowerRow& b) {
                    return a.sampled_at == b.sampled_at && a.followers == b.followers;
                  });
  if (followers_changed) {
    storage::replace_followers(db, profile_id, followers);
    labels_stale = true;
  }
  if (labels_stale) {
    // In a study only this profile's labels are stale.
    const storage::ProfileScope scope(among_others ? profile_id : storage::scoped_profile_id());
    storage::drop_all_labels(db);
  }
  report.changed = labels_stale || caption_changed || source_moved || !existing;
  if (report.changed) {
    fault_point("ingest.before_commit");
    transaction.commit();
  }
  // Unchanged: the transaction rolls back and the file is untouched.
}

}  // namespace

IngestReport ingest_profile(const IngestOptions& options, const std::string& db_path) {
  Profile profile = read_profile(options);
  if (!options.name.empty()) profile.name = options.name;
  IngestReport report;
  if (!options.exclusion_list.empty()) apply_exclusion_list(options.exclusion_list, profile);
  hash_media(profile);

  report.profile_name = profile.name;
  report.posts = static_cast<int>(profile.posts.size());
  report.follower_samples = static_cast<int>(profile.followers.size());
  for (const Post& post : profile.posts) {
    for (const MediaItem& item : post.media) {
      if (!item.excluded_reason.empty()) {
        ++report.excluded_media;
      } else if (item.type == MediaType::Video) {
        ++report.videos;
      } else {
        ++report.images;
      }
    }
  }
  Database db = Database::open(db_path);
  synchronise(db, profile, options.among_other_profiles, report);
  return report;
}

std::string describe(const IngestReport& report) {
  std::string text = fmt::format(
      "profile '{}': {} posts, {} images, {} videos, {} media excluded, {} follower samples\n",
      report.profile_name, report.posts, report.images, report.videos, report.excluded_media,
      report.follower_samples);
  if (!report.changed) {
    text += "the database already held exactly this profile: nothing changed\n";
  } else {
    text += fmt::format("posts added {}, updated {}, removed {}\n", report.posts_added, report.posts_updated,
                        report.posts_removed);
  }
  return text;
}

}  // namespace popsweep::data
