// profile.paths (issue 19): the list of a study's profiles, folders of
// profiles, and the refusals, each naming the file and the key.
#include "orchestrator/study_profiles.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/error.h"
#include "orchestrator/spec.h"
#include "orchestrator/spec_loader.h"
#include "orchestrator/sweep_identity.h"
#include "tests/support/spec_error.h"
#include "tests/support/temp_dir.h"

namespace popsweep::orchestrator {
namespace {

const char* const kBase = "train: {experiments: [image], classes: [2]}\n";

TEST(StudyProfiles, ListAndFolderOfProfiles) {
  testing::TempDir dir;
  for (const char* name : {"zeta", "alpha", ".hidden"})
    std::filesystem::create_directories(dir.file(std::string("all/") + name));
  dir.write("all/readme.txt", "not a profile");
  const LoadedSpec spec = parse_spec_text(std::string(kBase) + "profile:\n  paths: [" + dir.file("all/") +
                                              ", " + dir.file("elsewhere/gone") + "]\n",
                                          "s.yaml");
  const std::vector<StudyProfile> profiles = study_profiles(spec.values, spec.source);
  ASSERT_EQ(profiles.size(), 3u);
  EXPECT_EQ(profiles[0].name, "alpha");
  EXPECT_EQ(profiles[1].name, "zeta");
  // A missing profile folder is not refused here: it fails on its own when prepared.
  EXPECT_EQ(profiles[2].name, "gone");

  std::vector<std::size_t> profile_of_point;
  const std::vector<SpecValues> points = study_points(expand_sweep_points(spec), profiles, &profile_of_point);
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(profile_of_point, (std::vector<std::size_t>{0, 1, 2}));
  const Spec alpha = make_spec(points[0], "s.yaml");
  EXPECT_EQ(alpha.profile.path, dir.file("all/alpha"));
}

TEST(StudyProfiles, RefusalsNameFileAndKey) {
  using test_support::spec_error_of;
  const std::string both = spec_error_of(std::string(kBase) + "profile: {path: a, paths: [b, c]}\n");
  EXPECT_NE(both.find("s.yaml"), std::string::npos) << both;
  EXPECT_NE(both.find("'profile.paths' and 'profile.path'"), std::string::npos) << both;
  const std::string synth =
      spec_error_of(std::string(kBase) + "profile: {paths: [b], synth: {preset: tiny}}\n");
  EXPECT_NE(synth.find("'profile.synth.preset'"), std::string::npos) << synth;
  const LoadedSpec instaloader = parse_spec_text(
      std::string(kBase) + "profile: {paths: [b], format: instaloader, followers: f.csv}\n", "s.yaml");
  try {
    make_spec(instaloader.values, instaloader.source);
    FAIL() << "a study of instaloader profiles was accepted";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("profile.format instaloader"), std::string::npos)
        << error.what();
  }
  const std::string empty = spec_error_of(std::string(kBase) + "profile: {paths: [b, '']}\n");
  EXPECT_NE(empty.find("'profile.paths'"), std::string::npos) << empty;
  EXPECT_NE(empty.find("s.yaml:2"), std::string::npos) << empty;
  const std::string swept =
      spec_error_of(std::string(kBase) + "profile: {paths: [a, b]}\nsweep: {profile.paths: [[a], [b]]}\n");
  EXPECT_NE(swept.find("cannot be swept"), std::string::npos) << swept;

  testing::TempDir dir;
  const LoadedSpec missing =
      parse_spec_text(std::string(kBase) + "profile: {paths: [" + dir.file("none/") + "]}\n", "s.yaml");
  try {
    study_profiles(missing.values, missing.source);
    FAIL() << "a missing folder of profiles was accepted";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("s.yaml: 'profile.paths'"), std::string::npos) << error.what();
  }
  const LoadedSpec twins = parse_spec_text(std::string(kBase) + "profile: {paths: [x/p, y/p]}\n", "s.yaml");
  EXPECT_THROW(study_profiles(twins.values, twins.source), ConfigError);
}

TEST(StudyProfiles, OldSweepsKeepTheirIdentity) {
  // profile.paths is added_later: a spec without it has the identity it had before the key existed.
  const LoadedSpec plain = parse_spec_text(std::string(kBase) + "profile: {path: p}\n", "s.yaml");
  EXPECT_EQ(sweep_identity(plain).dump().find("profile.paths"), std::string::npos);
}

}  // namespace
}  // namespace popsweep::orchestrator
