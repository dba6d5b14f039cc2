// Reads a profile directory downloaded by Instaloader: per post a
// `<date>_UTC.json.xz` metadata file (a GraphQL node) beside its media
// (`<date>_UTC.jpg`, `.mp4`, and `<date>_UTC_<n>.jpg|mp4` for carousel
// items). Instaloader does not record follower history, so the followers
// come from a separate `date,followers` CSV.
#pragma once

#include <string>

#include "worker/data/profile.h"

namespace popsweep::data {

// Throws InputError naming the metadata file and the JSON field of the first
// problem (missing timestamp or counts, a media file that is not there).
Profile read_instaloader_profile(const std::string& directory, const std::string& followers_csv);

}  // namespace popsweep::data
