#include "orchestrator/study_profiles.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include "common/error.h"

namespace popsweep::orchestrator {
namespace {

std::vector<StudyProfile> profiles_in_folder(const std::string& folder, const std::string& source) {
  std::error_code error;
  if (!std::filesystem::is_directory(folder, error)) {
    throw ConfigError(source + ": 'profile.paths': " + folder +
                      " is not a folder (an entry ending in / names a "
                      "folder of profiles)");
  }
  std::vector<StudyProfile> found;
  for (const std::filesystem::directory_entry& entry : std::filesystem::directory_iterator(folder, error)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.front() == '.' || !entry.is_directory()) continue;
    found.push_back({name, (std::filesystem::path(folder) / name).string()});
  }
  if (error) throw ConfigError(source + ": 'profile.paths': cannot list " + folder + ": " + error.message());
  if (found.empty()) throw ConfigError(source + ": 'profile.paths': " + folder + " holds no profile folder");
  std::sort(found.begin(), found.end(),
            [](const StudyProfile& a, const StudyProfile& b) { return a.name < b.name; });
  return found;
}

}  // namespace

std::vector<StudyProfile> study_profiles(const SpecValues& values, const std::string& source) {
  const auto found = values.find("profile.paths");
  if (found == values.end()) return {};
  std::vector<StudyProfile> profiles;
  for (const std::string& entry : std::get<std::vector<std::string>>(found->second)) {
    if (!entry.empty() && entry.back() == '/') {
      for (StudyProfile& profile : profiles_in_folder(entry, source)) profiles.push_back(std::move(profile));
    } else {
      profiles.push_back({std::filesystem::path(entry).lexically_normal().filename().string(), entry});
    }
  }
  std::set<std::string> names;
  for (const StudyProfile& profile : profiles) {
    if (profile.name.empty() || !names.insert(profile.name).second) {
      throw ConfigError(source + ": 'profile.paths': two profiles are named '" + profile.name +
                        "' (a profile is named by its folder): rename one folder");
    }
  }
  return profiles;
}

std::vector<SpecValues> study_points(const std::vector<SpecValues>& points,
                                     const std::vector<StudyProfile>& profiles,
                                     std::vector<std::size_t>* profile_of_point) {
  std::vector<SpecValues> expanded;
  profile_of_point->clear();
  for (std::size_t p = 0; p < profiles.size(); ++p) {
    for (const SpecValues& point : points) {
      SpecValues one = point;
      one["profile.path"] = profiles[p].directory;
      expanded.push_back(std::move(one));
      profile_of_point->push_back(p);
    }
  }
  return expanded;
}

}  // namespace popsweep::orchestrator
