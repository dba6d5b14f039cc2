#include "worker/data/exclusion_list.h"

#include <map>

#include "common/csv.h"
#include "common/error.h"

namespace popsweep::data {

int apply_exclusion_list(const std::string& path, Profile& profile) {
  const CsvTable table = CsvTable::read_file(path, {"post_id", "media_index"});
  std::map<std::string, Post*> posts_by_key;
  for (Post& post : profile.posts) posts_by_key[post.key] = &post;
  int excluded = 0;
  for (const CsvRecord& record : table.records()) {
    const std::string key = table.field(record, "post_id");
    const auto it = posts_by_key.find(key);
    if (it == posts_by_key.end()) {
      throw InputError(path, record.line, "post_id", "no post with id '" + key + "' in the profile");
    }
    const std::int64_t index = table.integer(record, "media_index");
    Post& post = *it->second;
    if (index >= static_cast<std::int64_t>(post.media.size())) {
      throw InputError(path, record.line, "media_index",
                       "post '" + key + "' has " + std::to_string(post.media.size()) +
                           " media (indices start at 0)");
    }
    std::string reason = table.has_column("reason") ? table.field(record, "reason") : "";
    if (reason.empty()) reason = "listed in " + path + ":" + std::to_string(record.line);
    MediaItem& item = post.media[static_cast<size_t>(index)];
    if (item.excluded_reason.empty()) ++excluded;
    item.excluded_reason = reason;
  }
  return excluded;
}

}  // namespace popsweep::data
