// Ingest: read a profile directory, validate all of it, then store it in one
// transaction. Nothing touches the database until the whole input has been
// read and checked, so bad input leaves the database exactly as it was; an
// identical second ingest writes nothing at all.
#pragma once

#include <string>

namespace popsweep::storage {
class Database;
}

namespace popsweep::data {

struct IngestOptions {
  std::string profile_dir;
  std::string format = "popsweep";  // or "instaloader"
  std::string followers_csv;        // instaloader only
  std::string exclusion_list;       // optional CSV (M10)
  std::string name;                 // profile name; default: the directory's name
  // A study (profile.paths): the database may hold other profiles, and this
  // one is found by its name instead of being the only one.
  bool among_other_profiles = false;
};

struct IngestReport {
  std::string profile_name;
  int posts = 0;
  int images = 0;
  int videos = 0;
  int excluded_media = 0;
  int follower_samples = 0;
  int posts_added = 0;
  int posts_updated = 0;
  int posts_removed = 0;
  bool changed = false;  // false: the database already held exactly this
};

// Reads and validates everything first; opens `db_path` only when the input
// is sound. Throws InputError/ConfigError on bad input.
IngestReport ingest_profile(const IngestOptions& options, const std::string& db_path);

std::string describe(const IngestReport& report);

}  // namespace popsweep::data
