// The coordinator's side of a study (profile.paths, study_profiles.h): every
// profile is ingested into the one database and fingerprinted on its own; a
// profile that cannot be (a missing folder, a bad posts.csv) is set aside
// with the reason, and the others run. While a job runs on the coordinator,
// the database is scoped to the job's profile (storage::ProfileScope), found
// from the fingerprint its parameters carry.
#pragma once

#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "orchestrator/spec.h"
#include "orchestrator/stage_handlers.h"
#include "orchestrator/study_profiles.h"
#include "storage/profile_tables.h"

namespace popsweep::orchestrator {

struct PreparedStudyProfile {
  StudyProfile profile;
  std::int64_t profile_id = 0;  // in the database; 0 when it failed
  std::string fingerprint;
  std::string failure;  // empty: ready
};

// Ingests each profile with `spec`'s profile.format, followers and exclusion
// settings, printing what ingest reported; never throws for one profile's
// fault. Two profiles with the same posts would share every job key: the
// later one fails, naming the first.
std::vector<PreparedStudyProfile> prepare_study_profiles(const std::vector<StudyProfile>& profiles,
                                                         const Spec& spec, const std::string& database_path,
                                                         std::ostream& out);

// What the report and `status` keep of the preparation.
std::vector<storage::StudyProfileRow> study_profile_rows(const std::vector<PreparedStudyProfile>& prepared);

// "study: 2 of 3 profile(s) ready; failed: bad (posts.csv:3: ...)".
std::string study_summary(const std::vector<PreparedStudyProfile>& prepared);

// Routes every call to `inner` under the ProfileScope of the job's profile.
std::unique_ptr<StageHandlers> scoped_to_job_profile(StageHandlers& inner,
                                                     const std::vector<PreparedStudyProfile>& prepared);

}  // namespace popsweep::orchestrator
