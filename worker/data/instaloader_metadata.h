// One Instaloader metadata file (`<stem>.json.xz`): the JSON that
// Instaloader's save_structure_to_file writes, {"node": {...GraphQL node...},
// "instaloader": {"version": ..., "node_type": "Post"}}, reduced to what
// popsweep needs. Which node fields are read, and in which order of
// preference, is listed in docs/INPUT.md (the Instaloader section).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/time_format.h"
#include "worker/data/profile.h"

namespace popsweep::data {

struct InstaloaderPostMetadata {
  std::string shortcode;
  UnixSeconds posted_at = 0;
  std::int64_t likes = 0;
  std::int64_t comments = 0;
  PostKind kind = PostKind::Image;
  std::string caption;  // NFC (normalise_caption); empty when the post has none
  // One entry per media item, in carousel order; a single post has one.
  std::vector<bool> item_is_video;
};

// Parses the text of one metadata file. Returns nullopt for Instaloader
// structures that are not posts (node_type Profile, StoryItem, Hashtag,
// FrozenNodeIterator, ...). Throws InputError(source_name, 0, field, ...)
// naming the JSON field (e.g. "node.taken_at_timestamp") of the first problem.
std::optional<InstaloaderPostMetadata> parse_instaloader_metadata(const std::string& json_text,
                                                                  const std::string& source_name);

}  // namespace popsweep::data
