// `popsweep synth` run as a user runs it, and its output accepted by
// `popsweep ingest`.
#include <gtest/gtest.h>

#include "common/file_util.h"
#include "tests/support/temp_dir.h"

namespace popsweep {
namespace {

TEST(SynthCommand, GeneratesAProfileThatIngestAccepts) {
  testing::TempDir temp;
  const std::string binary = testing::popsweep_binary();
  const std::string profile = temp.file("profile");
  std::string output;
  ASSERT_EQ(testing::run_command("timeout 120 " + binary + " synth --preset tiny --seed 3 --out " + profile, &output),
            0)
      << output;
  EXPECT_NE(output.find("48 posts"), std::string::npos) << output;
  EXPECT_TRUE(file_exists(profile + "/truth.json"));

  ASSERT_EQ(testing::run_command("timeout 120 " + binary + " ingest --profile " + profile + " --db " +
                                     temp.file("popsweep.db"),
                                 &output),
            0)
      << output;
}

TEST(SynthCommand, RefusesToOverwriteWithoutForce) {
  testing::TempDir temp;
  const std::string binary = testing::popsweep_binary();
  const std::string command = "timeout 120 " + binary + " synth --preset tiny --seed 1 --out " + temp.file("p");
  std::string output;
  ASSERT_EQ(testing::run_command(command, &output), 0) << output;
  EXPECT_NE(testing::run_command(command, &output), 0);
  EXPECT_NE(output.find("not empty"), std::string::npos) << output;
  EXPECT_EQ(testing::run_command(command + " --force", &output), 0) << output;
}

TEST(SynthCommand, RejectsAnUnknownPreset) {
  testing::TempDir temp;
  std::string output;
  EXPECT_NE(testing::run_command("timeout 60 " + testing::popsweep_binary() + " synth --preset huge --out " +
                                     temp.file("p"),
                                 &output),
            0);
  EXPECT_NE(output.find("huge"), std::string::npos) << output;
}

}  // namespace
}  // namespace popsweep
