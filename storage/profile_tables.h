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

// A database usually holds one profile; a study (profile.paths) puts several
// in one. The coordinator works on one at a time: while a ProfileScope lives
// on this thread, find_profile, require_profile, load_media_of_posts and the
// writers that replace a profile's labels or duplicates see only that
// profile. Without one they see the first profile, except
// load_media_of_posts, which returns every profile's media (what a report of
// the whole database needs; the same as before for one profile).
class ProfileScope {
 public:
  explicit ProfileScope(std::int64_t profile_id);
  ~ProfileScope();
  ProfileScope(const ProfileScope&) = delete;
  ProfileScope& operator=(const ProfileScope&) = delete;

 private:
  std::int64_t previous_;
};
// The id of this thread's scoped profile, or 0 when none is.
std::int64_t scoped_profile_id();

// The scoped profile, or the first; nullopt before the first ingest.
std::optional<ProfileRow> find_profile(Database& db);
std::optional<ProfileRow> find_profile_named(Database& db, const std::string& name);
// Every profile, by id.
std::vector<ProfileRow> load_profiles(Database& db);
// Like find_profile, but throws a clear error when nothing was ingested yet.
ProfileRow require_profile(Database& db);

std::vector<PostRow> load_posts(Database& db, std::int64_t profile_id);
std::vector<MediaRow> load_media_of_profile(Database& db, std::int64_t profile_id);
std::vector<FollowerRow> load_followers(Database& db, std::int64_t profile_id);
// Every media item with its post (of the scoped profile, or of every profile),
// ordered by post time then media index. Excluded media (M10) are left out
// unless `include_excluded`.
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

// One profile of a study (profile.paths) and, when it could not be prepared
// (a missing folder, a bad posts.csv), why: its failure is its own, the other
// profiles run, and the report names it.
struct StudyProfileRow {
  std::string name;
  std::string directory;
  std::string failure;  // empty: prepared
};
// Replaces the sweep's list.
void record_study_profiles(Database& db, std::int64_t sweep_id, const std::vector<StudyProfileRow>& profiles);
// Empty for a sweep that is not a study (or a database from before studies).
std::vector<StudyProfileRow> load_study_profiles(Database& db, std::int64_t sweep_id);

}  // namespace popsweep::storage
