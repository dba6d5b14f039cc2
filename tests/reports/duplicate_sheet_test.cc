// The sheet of closest duplicate pairs (M7): real thumbnails of the files,
// closest pair first, unreadable files left out.
#include "reports/duplicate_sheet.h"

#include <gtest/gtest.h>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "tests/support/temp_dir.h"

namespace popsweep::reports {
namespace {

storage::MediaOfPost image_media(std::int64_t id, const std::string& path) {
  storage::MediaOfPost media;
  media.media_id = id;
  media.media_type = "image";
  media.path = path;
  return media;
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(DuplicateSheet, ShowsTheClosestPairsAsEmbeddedThumbnails) {
  testing::TempDir directory;
  const std::string a = directory.file("a.png"), b = directory.file("b.png"), c = directory.file("c.png");
  cv::imwrite(a, cv::Mat(60, 120, CV_8UC3, cv::Scalar(0, 0, 255)));
  cv::imwrite(b, cv::Mat(60, 120, CV_8UC3, cv::Scalar(0, 0, 250)));
  cv::imwrite(c, cv::Mat(80, 80, CV_8UC3, cv::Scalar(255, 0, 0)));
  const std::vector<storage::MediaOfPost> media = {image_media(1, a), image_media(2, b), image_media(3, c),
                                                   image_media(4, directory.file("missing.jpg"))};
  // Given far pair first: the sheet must put the closer one (0.25) on top.
  const std::vector<storage::DuplicateRow> pairs = {{3, 1, 1.5, 2.0}, {2, 1, 0.25, 2.0}, {4, 3, 0.1, 2.0}};
  const std::optional<ReportChart> sheet = duplicate_sheet_chart(media, pairs);
  ASSERT_TRUE(sheet);
  // The pair with a missing file is left out: two pairs, four thumbnails.
  EXPECT_EQ(count(sheet->svg, "data:image/jpeg;base64,"), 4u);
  EXPECT_NE(sheet->title.find("2 closest"), std::string::npos);
  const std::size_t closer = sheet->svg.find("distance 0.25"), farther = sheet->svg.find("distance 1.5");
  ASSERT_NE(closer, std::string::npos);
  ASSERT_NE(farther, std::string::npos);
  EXPECT_LT(closer, farther);
  EXPECT_NE(sheet->svg.find("removed: b.png"), std::string::npos);
  // 120 x 60 scales to 96 x 48: the longest side is 96.
  EXPECT_NE(sheet->svg.find(R"(width="96" height="48")"), std::string::npos);
}

// Issue 21: with verification, the candidates it rejected (a same-template
// pair: both kept) are drawn after the duplicates, closest first, with their
// distance, verification score and reason; the accepted pair shows its score.
TEST(DuplicateSheet, ShowsRejectedNearMissesAfterTheDuplicatesWithScoreAndReason) {
  testing::TempDir directory;
  std::vector<storage::MediaOfPost> media;
  for (int i = 1; i <= 6; ++i) {
    const std::string path = directory.file("p" + std::to_string(i) + ".png");
    cv::imwrite(path, cv::Mat(40, 40, CV_8UC3, cv::Scalar(40 * i, 0, 0)));
    media.push_back(image_media(i, path));
  }
  const std::vector<storage::DuplicateRow> removed = {{2, 1, 0.3, 5.0}};
  std::vector<storage::DedupCandidateRow> candidates;
  candidates.push_back({1, 2, "image", 0.3, true, true, 4.31, "blocks-agree"});
  candidates.push_back({5, 6, "image", 2.5, true, false, 61.0, "block-differs"});
  candidates.push_back({3, 4, "image", 1.75, true, false, 38.5, "block-differs"});
  const std::optional<ReportChart> sheet = duplicate_sheet_chart(media, removed, candidates);
  ASSERT_TRUE(sheet);
  EXPECT_EQ(count(sheet->svg, "data:image/jpeg;base64,"), 6u);  // one duplicate, two near-misses
  EXPECT_NE(sheet->title.find("1 closest near-duplicate pairs"), std::string::npos) << sheet->title;
  EXPECT_NE(sheet->title.find("2 closest near-misses pixel verification rejected"), std::string::npos)
      << sheet->title;
  EXPECT_NE(sheet->svg.find("distance 0.3, worst block 4.3 grey levels"), std::string::npos);
  const std::size_t closer = sheet->svg.find("distance 1.75, worst block 38.5 grey levels");
  const std::size_t farther = sheet->svg.find("distance 2.5, worst block 61.0 grey levels");
  ASSERT_NE(closer, std::string::npos);
  ASSERT_NE(farther, std::string::npos);
  EXPECT_LT(sheet->svg.find("removed: p2.png"), closer);  // duplicates first
  EXPECT_LT(closer, farther);
  EXPECT_EQ(count(sheet->svg, "rejected: block-differs (both kept)"), 2u);
  EXPECT_NE(sheet->svg.find("p3.png / p4.png"), std::string::npos);
  // Near-misses alone still make a sheet; a sheet without them looks as before.
  EXPECT_TRUE(duplicate_sheet_chart(media, {}, candidates));
  EXPECT_EQ(duplicate_sheet_chart(media, removed, {})->title.find("near-misses"), std::string::npos);
}

TEST(DuplicateSheet, NothingToShowGivesNoChart) {
  EXPECT_FALSE(duplicate_sheet_chart({}, {}));
  EXPECT_FALSE(duplicate_sheet_chart({image_media(1, "/no/such.jpg"), image_media(2, "/no/other.jpg")},
                                     {{2, 1, 0.5, 1.0}}));
}

}  // namespace
}  // namespace popsweep::reports
