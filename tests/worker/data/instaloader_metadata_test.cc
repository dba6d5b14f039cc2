// Instaloader metadata text to a post (docs/INPUT.md, the Instaloader
// section). The whole reader is checked against Instaloader's own writer in
// instaloader_reader_test.py; these are the hostile inputs the fuzz target
// (fuzz/instaloader_json_fuzzer.cc) found, each refused with the file named.
#include "worker/data/instaloader_metadata.h"

#include <gtest/gtest.h>

#include <string>

#include "common/error.h"

namespace popsweep::data {
namespace {

void expect_refused(const std::string& json_text, const std::string& reason) {
  try {
    parse_instaloader_metadata(json_text, "2021-03-04_05-06-07_UTC.json.xz");
    ADD_FAILURE() << "accepted: " << json_text;
  } catch (const InputError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("2021-03-04_05-06-07_UTC.json.xz"), std::string::npos) << message;
    EXPECT_NE(message.find(reason), std::string::npos) << message;
  }
}

TEST(InstaloaderMetadata, ReadsAGraphImageNode) {
  const auto post = parse_instaloader_metadata(
      R"({"node": {"__typename": "GraphImage", "shortcode": "Cx1", "taken_at_timestamp": 1614834367.9,
                   "edge_media_preview_like": {"count": 120}, "edge_media_to_comment": {"count": 4},
                   "is_video": false},
          "instaloader": {"version": "4.9.5", "node_type": "Post"}})",
      "post.json");
  ASSERT_TRUE(post.has_value());
  EXPECT_EQ(post->shortcode, "Cx1");
  EXPECT_EQ(post->posted_at, 1614834367);
  EXPECT_EQ(post->likes, 120);
  EXPECT_EQ(post->item_is_video, std::vector<bool>{false});
}

// Found by the fuzz target: nlohmann/json reports a number beyond a double's
// range as out_of_range, not as a parse error, and it escaped without naming
// the file (fuzz/regressions/instaloader_json/number-overflow-*).
TEST(InstaloaderMetadata, NumberTooLargeForADoubleIsInvalidJson) {
  expect_refused("333333333e3333000645970003", "not valid JSON (a number too large to represent)");
  expect_refused(R"({"node": {"taken_at_timestamp": 1e400}, "instaloader": {"node_type": "Post"}})",
                 "not valid JSON");
}

TEST(InstaloaderMetadata, MalformedJsonNamesTheByte) {
  expect_refused(R"({"node": )", "not valid JSON (byte");
}

}  // namespace
}  // namespace popsweep::data
