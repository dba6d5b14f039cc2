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

// Issue 18: the caption as Instaloader's Post.caption reads it, NFC-normalised
// ("e" + U+0301 becomes U+00E9) and kept with its newlines and emoji.
std::string caption_of(const std::string& caption_fields) {
  const auto post = parse_instaloader_metadata(
      R"({"node": {"__typename": "GraphImage", "shortcode": "Cx1", "taken_at_timestamp": 1614834367,
                   "edge_media_preview_like": {"count": 120}, "edge_media_to_comment": {"count": 4},
                   "is_video": false)" + caption_fields + R"(},
          "instaloader": {"version": "4.9.5", "node_type": "Post"}})",
      "post.json");
  return post->caption;
}

TEST(InstaloaderMetadata, ReadsTheCaptionAsInstaloaderDoes) {
  EXPECT_EQ(caption_of(R"(, "edge_media_to_caption": {"edges": [{"node": {"text": "Cafe\u0301\n#x \ud83d\ude00"}}]})"),
            "Caf\xC3\xA9\n#x \xF0\x9F\x98\x80");
  // The edge wins over the mobile API's field; without edges the field is read.
  EXPECT_EQ(caption_of(R"(, "edge_media_to_caption": {"edges": [{"node": {"text": "a"}}]}, "caption": "b")"), "a");
  EXPECT_EQ(caption_of(R"(, "edge_media_to_caption": {"edges": []}, "caption": "b")"), "b");
  EXPECT_EQ(caption_of(R"(, "caption": {"text": "c"})"), "c");
  EXPECT_EQ(caption_of(R"(, "caption": null)"), "");
  EXPECT_EQ(caption_of(""), "");
  expect_refused(R"({"node": {"__typename": "GraphImage", "shortcode": "Cx1", "taken_at_timestamp": 1,
                   "edge_media_preview_like": {"count": 1}, "edge_media_to_comment": {"count": 4},
                   "is_video": false, "caption": 5}, "instaloader": {"node_type": "Post"}})",
                 "node.caption");
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
