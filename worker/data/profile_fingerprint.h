// A hash of everything stored about a profile that labels, features and
// models depend on (posts and their counts, media contents, exclusions,
// follower samples). Jobs carry it in their keys, so a profile that changed
// gets new jobs and an unchanged one reuses every result.
#pragma once

#include <string>

namespace popsweep::storage {
class Database;
}

namespace popsweep::data {

std::string profile_fingerprint(storage::Database& db);

}  // namespace popsweep::data
