// The weights compiled into the binary (M13): the bytes are exactly the
// documented Coral MobileNetV2 (its published SHA-256, and byte for byte the
// file in ../shared), they are found by name only, and the installed binary
// uses them from any folder.
#include "worker/nets/builtin_weights.h"

#include <gtest/gtest.h>

#include <cstring>

#include "common/error.h"
#include "common/file_util.h"
#include "common/sha256.h"
#include "tests/support/temp_dir.h"

namespace popsweep::nets {
namespace {

// From google-coral/test_data at commit 104342d2d3480b3e66203073dac24f4e2dbb4c41,
// as ../shared/models/coral/README.md and worker/nets/builtin/README.md document it.
constexpr const char* kDocumentedSha256 = "7aad0c74c5e3c06e5eb3c827e13304fdd68a83da6087d92ee169c24ff9fd4776";

std::string coral_file(const std::string& name) {
  return std::string(POPSWEEP_SHARED_DIR) + "/models/coral/" + name;
}

TEST(NetsBuiltinWeights, MobileNetV2BytesHaveTheDocumentedSha256) {
  // A named argument: GCC 14 takes a reference returned for a temporary
  // argument for a dangling one (-Wdangling-reference), though the table is
  // static; and builtin_weights_sha256 wants the table's own entry, not a copy.
  const std::string name = "builtin:mobilenet_v2";
  const BuiltinWeights& builtin = find_builtin_weights(name);
  EXPECT_EQ(builtin.architecture, "mobilenet_v2");
  EXPECT_EQ(builtin.size, 3610798u);
  Sha256 hash;
  hash.update(builtin.bytes, builtin.size);
  EXPECT_EQ(hash.hex_digest(), kDocumentedSha256);
  EXPECT_EQ(builtin_weights_sha256(builtin), kDocumentedSha256);
  // A TFLite flatbuffer: "TFL3" at byte 4.
  ASSERT_GT(builtin.size, 8u);
  EXPECT_EQ(std::memcmp(builtin.bytes + 4, "TFL3", 4), 0);
}

TEST(NetsBuiltinWeights, AStoredIdentityFindsItsBuiltinAgain) {
  EXPECT_EQ(builtin_weights_with_sha256(kDocumentedSha256), "builtin:mobilenet_v2");
  EXPECT_EQ(builtin_weights_with_sha256(sha256_hex("not a model")), "");
  EXPECT_EQ(builtin_weights_with_sha256("random:0"), "");
}

TEST(NetsBuiltinWeights, MobileNetV2IsTheSharedFileByteForByte) {
  const std::vector<std::uint8_t> file = read_binary_file(coral_file("mobilenet_v2_1.0_224_quant.tflite"));
  // A named argument: GCC 14 takes a reference returned for a temporary
  // argument for a dangling one (-Wdangling-reference), though the table is
  // static; and builtin_weights_sha256 wants the table's own entry, not a copy.
  const std::string name = "builtin:mobilenet_v2";
  const BuiltinWeights& builtin = find_builtin_weights(name);
  ASSERT_EQ(file.size(), builtin.size);
  EXPECT_EQ(std::memcmp(file.data(), builtin.bytes, builtin.size), 0);
  EXPECT_EQ(sha256_file_hex(coral_file("mobilenet_v2_1.0_224_quant.tflite")),
            builtin_weights_sha256(builtin));
}

TEST(NetsBuiltinWeights, UnknownNamesAreRefusedListingTheKnownOnes) {
  EXPECT_TRUE(is_builtin_weights("builtin:mobilenet_v3"));
  EXPECT_FALSE(is_builtin_weights("random"));
  EXPECT_FALSE(is_builtin_weights("weights/builtin:mobilenet_v2"));
  try {
    find_builtin_weights("builtin:mobilenet_v3");
    ADD_FAILURE() << "an unknown builtin was accepted";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("builtin:mobilenet_v3"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("builtin:mobilenet_v2"), std::string::npos) << error.what();
  }
}

TEST(NetsBuiltinWeights, OnlyABuiltinFixesTheArchitecture) {
  EXPECT_EQ(architecture_fixed_by_weights("builtin:mobilenet_v2"), "mobilenet_v2");
  EXPECT_EQ(architecture_fixed_by_weights("random"), "");
  EXPECT_EQ(architecture_fixed_by_weights("/some/efficientnet_b0.pth"), "");
}

// An installed binary has no source tree beside it: a copy of the binary,
// run from an empty folder, classifies a real photo with the builtin.
TEST(NetsBuiltinWeights, CopiedBinaryClassifiesARealPhotoFromAnotherFolder) {
  const testing::TempDir install;
  const testing::TempDir elsewhere;
  ASSERT_EQ(
      testing::run_command("cp '" + testing::popsweep_binary() + "' '" + install.file("popsweep") + "'"), 0);
  std::string output;
  const int status = testing::run_command("cd '" + elsewhere.path() + "' && '" + install.file("popsweep") +
                                              "' classify --weights builtin:mobilenet_v2 --labels '" +
                                              coral_file("imagenet_labels.txt") + "' --image '" +
                                              coral_file("parrot.jpg") + "' --top 5",
                                          &output);
  ASSERT_EQ(status, 0) << output;
  EXPECT_NE(output.find("macaw"), std::string::npos) << output;
  std::printf("[ top-5 ] parrot.jpg with the copied binary:\n%s", output.c_str());
}

}  // namespace
}  // namespace popsweep::nets
