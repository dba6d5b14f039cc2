// Before a sweep's jobs can be planned, the coordinator makes sure its
// profile is in the database: it generates the synthetic profile a spec asks
// for (once), ingests the profile (a no-op when nothing changed), and
// returns the fingerprint that the jobs' keys carry.
#pragma once

#include <string>

#include "orchestrator/spec.h"

namespace popsweep::storage {
class Database;
}

namespace popsweep::orchestrator {

struct PreparedProfile {
  std::string directory;
  std::string fingerprint;
  std::string summary;  // what ingest reported
};

// `database_path` decides where a synthetic profile is written (beside it).
PreparedProfile prepare_profile(const Spec& spec, const std::string& database_path);

// Generates the synthetic profile `preset`/`seed` (with `template_posts`
// pairs of template posts) into `directory` unless a complete one (with
// truth.json) is already there.
void ensure_synthetic_profile(const std::string& preset, std::int64_t seed, std::int64_t template_posts,
                              const std::string& directory);

}  // namespace popsweep::orchestrator
