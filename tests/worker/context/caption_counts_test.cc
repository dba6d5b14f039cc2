// Issue 18: caption length in code points, hashtags and mentions, on
// hand-counted captions (docs/METHOD.md, context features). The same rules
// are recomputed with Python's unicodedata in context_reference_test.py.
#include "worker/context/caption_counts.h"

#include <gtest/gtest.h>

#include <string>

#include "worker/data/caption_text.h"

namespace popsweep::context {
namespace {

TEST(CaptionCounts, CountsCodePointsNotBytes) {
  EXPECT_EQ(count_caption("").characters, 0);
  EXPECT_EQ(count_caption("abc").characters, 3);
  EXPECT_EQ(count_caption("\xF0\x9F\x98\x80").characters, 1);  // U+1F600, four bytes, one code point
  // A family emoji is 7 code points (4 people, 3 zero-width joiners).
  EXPECT_EQ(
      count_caption("\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA9\xE2\x80\x8D\xF0\x9F\x91\xA7\xE2\x80\x8D"
                    "\xF0\x9F\x91\xA6")
          .characters,
      7);
  EXPECT_EQ(count_caption("a\nb\r\nc").characters, 6);
  EXPECT_EQ(count_caption("\xFF"
                          "a")
                .characters,
            2);  // an invalid byte is one U+FFFD
}

TEST(CaptionCounts, NormalisedCaptionsCountComposedAccentsOnce) {
  const std::string decomposed = "Cafe\xCC\x81";  // e + U+0301
  EXPECT_EQ(count_caption(decomposed).characters, 5);
  EXPECT_EQ(count_caption(data::normalise_caption(decomposed)).characters, 4);
  EXPECT_EQ(data::normalise_caption(decomposed), "Caf\xC3\xA9");
}

TEST(CaptionCounts, HashtagsStartAToken) {
  EXPECT_EQ(count_caption("#a #b #c").hashtags, 3);
  EXPECT_EQ(count_caption("a#b").hashtags, 0);                    // inside a word
  EXPECT_EQ(count_caption("##e").hashtags, 1);                    // the second sign starts the tag
  EXPECT_EQ(count_caption("# a #").hashtags, 0);                  // nothing after the sign
  EXPECT_EQ(count_caption("#_x #1 #\xE5\xAE\xB6").hashtags, 3);   // underscore, digit, CJK letter
  EXPECT_EQ(count_caption("#\xF0\x9F\x94\xA5").hashtags, 0);      // an emoji is not a word code point
  EXPECT_EQ(count_caption("\xF0\x9F\x94\xA5#fire").hashtags, 1);  // after an emoji it starts a token
}

TEST(CaptionCounts, MentionsAreUsernamesNotAddresses) {
  EXPECT_EQ(count_caption("@anna and @bob_2").mentions, 2);
  EXPECT_EQ(count_caption("mail@example.com").mentions, 0);
  EXPECT_EQ(count_caption("@ @\xC3\xBC @_x").mentions, 1);  // space and non-ASCII letters are no username
}

TEST(CaptionCounts, TenThousandCharacters) {
  std::string caption;
  for (int i = 0; i < 1000; ++i) caption += "\xF0\x9F\x94\xA5#fire @f ";  // 10 code points each
  const CaptionCounts counts = count_caption(caption);
  EXPECT_EQ(counts.characters, 10000);
  EXPECT_EQ(counts.hashtags, 1000);
  EXPECT_EQ(counts.mentions, 1000);
}

}  // namespace
}  // namespace popsweep::context
