// Reads a profile in the popsweep layout (docs/INPUT.md): a directory with
// posts.csv, followers.csv and the media files.
#pragma once

#include <string>

#include "worker/data/profile.h"

namespace popsweep::data {

// Throws InputError naming the file, line and field of the first problem:
// bad dates, negative or non-numeric counts, duplicate post ids, unknown
// kinds, missing media files, an empty followers file.
Profile read_popsweep_profile(const std::string& directory);

// The image beside a video with the same stem (.jpg, .jpeg, .png, .webp,
// .bmp), relative to `directory`; empty when there is none.
std::string find_thumbnail(const std::string& directory, const std::string& video_path);

}  // namespace popsweep::data
