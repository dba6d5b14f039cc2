// A study (issue 19): `profile.paths` runs the same experiments on several
// profiles, each labelled on its own (M1-M6 are local to a profile), in one
// database. This file turns the key into the list of profiles and each sweep
// point into one point per profile; study_run.h prepares and runs them.
#pragma once

#include <string>
#include <vector>

#include "orchestrator/spec_values.h"

namespace popsweep::orchestrator {

// The key under which a study's sweep points (and so its reports) carry the
// profile's name.
inline constexpr const char* kProfilePointKey = "profile";

struct StudyProfile {
  std::string name;       // the folder's name: unique within a study
  std::string directory;  // as given (relative to the current folder) or found in a folder of profiles
};

// Empty when the spec is no study. An entry ending in `/` is a folder of
// profiles: each folder in it (sorted by name, hidden ones skipped) is one.
// Throws ConfigError naming `source` and profile.paths when such a folder is
// missing or empty, or two profiles share a name. A listed profile folder
// that is missing is not refused here: it fails on its own when prepared.
std::vector<StudyProfile> study_profiles(const SpecValues& values, const std::string& source);

// `points` once per profile (profile-major), with profile.path set to it;
// `profile_of_point` receives each point's index into `profiles`.
std::vector<SpecValues> study_points(const std::vector<SpecValues>& points,
                                     const std::vector<StudyProfile>& profiles,
                                     std::vector<std::size_t>* profile_of_point);

}  // namespace popsweep::orchestrator
