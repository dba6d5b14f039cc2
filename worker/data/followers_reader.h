// Reads a follower tracker export: `date,followers`, one sample per line.
#pragma once

#include <string>
#include <vector>

#include "worker/data/profile.h"

namespace popsweep::data {

// Samples sorted by time. Throws InputError naming the file and line for an
// empty file, an unparseable date, a negative or non-numeric count, or two
// different counts on the same date.
std::vector<FollowerSample> read_followers_csv(const std::string& path);

}  // namespace popsweep::data
