#include "worker/data/profile_fingerprint.h"

#include "common/sha256.h"
#include "storage/profile_tables.h"

namespace popsweep::data {

std::string profile_fingerprint(storage::Database& db) {
  const storage::ProfileRow profile = storage::require_profile(db);
  Sha256 hash;
  // Unit and record separators cannot occur in the fields, so no two
  // different profiles serialise alike.
  auto field = [&](const std::string& text) {
    hash.update(text);
    hash.update("\x1f", 1);
  };
  for (const storage::MediaOfPost& m : storage::load_media_of_posts(db, true)) {
    field(m.post_key);
    field(std::to_string(m.posted_at));
    field(std::to_string(m.likes));
    field(std::to_string(m.comments));
    field(m.impressions ? std::to_string(*m.impressions) : "");
    field(m.post_kind);
    field(std::to_string(m.media_index));
    field(m.media_type);
    field(m.content_hash);
    field(m.excluded ? "excluded" : "");
    hash.update("\x1e", 1);
  }
  for (const storage::FollowerRow& sample : storage::load_followers(db, profile.id)) {
    field(std::to_string(sample.sampled_at));
    field(std::to_string(sample.followers));
  }
  return hash.hex_digest().substr(0, 32);
}

}  // namespace popsweep::data
