// M10: an exclusion list names media to drop (logos, product sheets, ...):
// a CSV with columns `post_id,media_index` and an optional `reason`.
#pragma once

#include <string>

#include "worker/data/profile.h"

namespace popsweep::data {

// Marks the listed media of `profile` as excluded, keeping the reason (or
// "listed in FILE:LINE"). Throws InputError naming the line for an unknown
// post id or a media index the post does not have. Returns how many media
// were excluded.
int apply_exclusion_list(const std::string& path, Profile& profile);

}  // namespace popsweep::data
