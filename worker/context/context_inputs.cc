#include "worker/context/context_inputs.h"

#include <fmt/format.h>

#include <cmath>
#include <map>

#include "common/csv.h"
#include "storage/profile_tables.h"

namespace popsweep::context {

ContextInputs load_context_inputs(storage::Database& db) {
  const storage::ProfileRow profile = storage::require_profile(db);
  ContextInputs inputs;
  std::map<std::int64_t, size_t> post_of_id;
  for (const storage::PostRow& row : storage::load_posts(db, profile.id)) {
    post_of_id[row.id] = inputs.posts.size();
    inputs.posts.push_back({row.key, row.posted_at, row.likes, row.comments, row.caption, {}});
  }
  for (const storage::MediaRow& row : storage::load_media_of_profile(db, profile.id)) {
    const auto post = post_of_id.find(row.post_id);
    if (post == post_of_id.end()) continue;
    inputs.posts[post->second].media.push_back({row.id, row.index, row.type == "video"});
  }
  for (const storage::FollowerRow& row : storage::load_followers(db, profile.id)) {
    inputs.followers.push_back({row.sampled_at, row.followers});
  }
  return inputs;
}

void write_context_csv(std::ostream& out, const std::vector<ContextRow>& rows) {
  std::vector<std::string> header = {"post_id", "media_index", "media_type"};
  for (const std::string& name : context_feature_names()) header.push_back(name);
  write_csv_row(out, header);
  for (const ContextRow& row : rows) {
    std::vector<std::string> fields = {row.post_key, std::to_string(row.media_index),
                                       row.is_video ? "video" : "image"};
    for (double value : row.values) fields.push_back(std::isnan(value) ? "" : fmt::format("{:.17g}", value));
    write_csv_row(out, fields);
  }
}

}  // namespace popsweep::context
