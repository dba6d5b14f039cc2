// Ingest (M1, M10): a sound profile is stored whole, a second ingest changes
// nothing, and bad input names the file, line and field and leaves the
// database exactly as it was.
#include "worker/data/ingest.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "common/error.h"
#include "storage/database.h"
#include "storage/label_tables.h"
#include "storage/profile_tables.h"
#include "tests/support/db_dump.h"
#include "tests/support/temp_dir.h"
#include "worker/data/labeler.h"

namespace popsweep::data {
namespace {

using testing::TempDir;

const char* const kPosts =
    "post_id,timestamp,likes,comments,impressions,kind,media\n"
    "a,2021-01-01T10:00:00Z,100,5,1000,image,media/a.jpg\n"
    "b,2021-01-08T10:00:00,200,10,,video,media/b.mp4\n"
    "c,2021-01-15T10:00:00+01:00,300,15,,carousel,media/c0.jpg;media/c1.mp4;media/c2.png\n";
const char* const kFollowers = "date,followers\n2021-01-01,1000\n2021-01-20,2000\n";

// A profile directory with placeholder media (ingest does not decode media).
void write_profile(const TempDir& dir, const std::string& posts = kPosts,
                   const std::string& followers = kFollowers) {
  dir.write("profile/posts.csv", posts);
  dir.write("profile/followers.csv", followers);
  for (const char* name : {"a.jpg", "b.mp4", "b.jpg", "c0.jpg", "c1.mp4", "c2.png"}) {
    dir.write(std::string("profile/media/") + name, std::string("bytes of ") + name);
  }
}

IngestOptions options_for(const TempDir& dir) {
  IngestOptions options;
  options.profile_dir = dir.file("profile");
  return options;
}

TEST(Ingest, StoresPostsMediaAndFollowers) {
  TempDir dir;
  write_profile(dir);
  const IngestReport report = ingest_profile(options_for(dir), dir.file("p.db"));
  EXPECT_TRUE(report.changed);
  EXPECT_EQ(report.posts, 3);
  EXPECT_EQ(report.images, 3);
  EXPECT_EQ(report.videos, 2);
  storage::Database db = storage::Database::open(dir.file("p.db"));
  EXPECT_EQ(db.query_int("SELECT COUNT(*) FROM posts"), 3);
  EXPECT_EQ(db.query_int("SELECT COUNT(*) FROM media"), 5);
  EXPECT_EQ(db.query_int("SELECT COUNT(*) FROM follower_samples"), 2);
  // 2021-01-15T10:00:00+01:00 is 09:00 UTC.
  EXPECT_EQ(db.query_int("SELECT posted_at FROM posts WHERE post_key = 'c'"), 1610701200);
  EXPECT_EQ(db.query_int("SELECT impressions FROM posts WHERE post_key = 'a'"), 1000);
  EXPECT_EQ(db.query_int("SELECT COUNT(*) FROM posts WHERE impressions IS NULL"), 2);
  // The video's same-stem image is its thumbnail; carousel order is kept.
  storage::Statement thumb = db.prepare(
      "SELECT m.thumbnail_path FROM media m JOIN posts p ON p.id = m.post_id WHERE p.post_key = 'b'");
  ASSERT_TRUE(thumb.step());
  EXPECT_EQ(thumb.column_text(0), "media/b.jpg");
  storage::Statement carousel = db.prepare(
      "SELECT m.media_type, m.path FROM media m JOIN posts p ON p.id = m.post_id WHERE p.post_key = 'c' "
      "ORDER BY m.media_index");
  std::vector<std::string> seen;
  while (carousel.step()) seen.push_back(carousel.column_text(0) + ":" + carousel.column_text(1));
  EXPECT_EQ(seen, (std::vector<std::string>{"image:media/c0.jpg", "video:media/c1.mp4", "image:media/c2.png"}));
}

TEST(Ingest, SecondIngestChangesNothing) {
  TempDir dir;
  write_profile(dir);
  ingest_profile(options_for(dir), dir.file("p.db"));
  const std::string before = testing::dump_database(dir.file("p.db"));
  const IngestReport again = ingest_profile(options_for(dir), dir.file("p.db"));
  EXPECT_FALSE(again.changed);
  EXPECT_EQ(testing::dump_database(dir.file("p.db")), before);
}

TEST(Ingest, ChangedCountsUpdateInPlaceAndDropStaleLabels) {
  TempDir dir;
  write_profile(dir);
  ingest_profile(options_for(dir), dir.file("p.db"));
  std::int64_t media_id_before = 0;
  {
    storage::Database db = storage::Database::open(dir.file("p.db"));
    media_id_before = db.query_int("SELECT MIN(id) FROM media");
    LabelSettings settings;
    label_profile(db, settings);
    EXPECT_EQ(db.query_int("SELECT COUNT(*) FROM labels"), 5);
  }
  std::string posts = kPosts;
  posts.replace(posts.find(",100,5,"), 7, ",150,5,");
  dir.write("profile/posts.csv", posts);
  const IngestReport report = ingest_profile(options_for(dir), dir.file("p.db"));
  EXPECT_TRUE(report.changed);
  EXPECT_EQ(report.posts_updated, 1);
  storage::Database db = storage::Database::open(dir.file("p.db"));
  EXPECT_EQ(db.query_int("SELECT likes FROM posts WHERE post_key = 'a'"), 150);
  EXPECT_EQ(db.query_int("SELECT MIN(id) FROM media"), media_id_before);  // ids survive
  EXPECT_EQ(db.query_int("SELECT COUNT(*) FROM labels"), 0);
}

// Issue 18: the optional caption column is stored NFC-normalised; changing
// only a caption updates the post but keeps its labels (they depend on counts).
TEST(Ingest, CaptionsAreStoredAndACaptionChangeKeepsLabels) {
  TempDir dir;
  const std::string posts =
      "post_id,timestamp,likes,comments,impressions,kind,media,caption\n"
      "a,2021-01-01T10:00:00Z,100,5,1000,image,media/a.jpg,\"Cafe\xCC\x81, \"\"quoted\"\"\nline two #x\"\n"
      "b,2021-01-08T10:00:00,200,10,,video,media/b.mp4,\n"
      "c,2021-01-15T10:00:00+01:00,300,15,,carousel,media/c0.jpg;media/c1.mp4;media/c2.png,\xF0\x9F\x98\x80\n";
  write_profile(dir, posts);
  ingest_profile(options_for(dir), dir.file("p.db"));
  {
    storage::Database db = storage::Database::open(dir.file("p.db"));
    std::map<std::string, std::string> caption_of;
    for (const storage::PostRow& row : storage::load_posts(db, storage::require_profile(db).id)) {
      caption_of[row.key] = row.caption;
    }
    EXPECT_EQ(caption_of["a"], "Caf\xC3\xA9, \"quoted\"\nline two #x");
    EXPECT_EQ(caption_of["b"], "");
    EXPECT_EQ(caption_of["c"], "\xF0\x9F\x98\x80");
    label_profile(db, LabelSettings{});
  }
  std::string changed = posts;
  changed.replace(changed.find("\xF0\x9F\x98\x80"), 4, "new caption");
  dir.write("profile/posts.csv", changed);
  const IngestReport report = ingest_profile(options_for(dir), dir.file("p.db"));
  EXPECT_TRUE(report.changed);
  EXPECT_EQ(report.posts_updated, 1);
  storage::Database db = storage::Database::open(dir.file("p.db"));
  storage::Statement caption = db.prepare("SELECT caption FROM posts WHERE post_key = 'c'");
  ASSERT_TRUE(caption.step());
  EXPECT_EQ(caption.column_text(0), "new caption");
  EXPECT_EQ(db.query_int("SELECT COUNT(*) FROM labels"), 5);
}

TEST(Ingest, ExclusionListDropsMediaWithReason) {
  TempDir dir;
  write_profile(dir);
  IngestOptions options = options_for(dir);
  options.exclusion_list = dir.write("exclude.csv", "post_id,media_index,reason\nc,2,product sheet\n");
  const IngestReport report = ingest_profile(options, dir.file("p.db"));
  EXPECT_EQ(report.excluded_media, 1);
  storage::Database db = storage::Database::open(dir.file("p.db"));
  EXPECT_EQ(db.query_int("SELECT COUNT(*) FROM media WHERE excluded_reason = 'product sheet'"), 1);
  EXPECT_EQ(storage::load_media_of_posts(db).size(), 4u);
  EXPECT_EQ(storage::load_media_of_posts(db, true).size(), 5u);
}

TEST(Ingest, ExclusionListWithUnknownPostNamesTheLine) {
  TempDir dir;
  write_profile(dir);
  IngestOptions options = options_for(dir);
  options.exclusion_list = dir.write("exclude.csv", "post_id,media_index\nc,0\nzz,0\n");
  try {
    ingest_profile(options, dir.file("p.db"));
    FAIL();
  } catch (const InputError& error) {
    EXPECT_EQ(error.line(), 3);
    EXPECT_EQ(error.field(), "post_id");
  }
}

struct BadInputCase {
  const char* name;
  std::string posts;
  std::string followers;
  const char* file;  // which file the error must name
  long line;
  const char* field;
};

class IngestBadInput : public ::testing::TestWithParam<BadInputCase> {};

TEST_P(IngestBadInput, NamesFileLineFieldAndLeavesDatabaseUnchanged) {
  const BadInputCase& bad = GetParam();
  TempDir dir;
  write_profile(dir);
  ingest_profile(options_for(dir), dir.file("p.db"));
  const std::string before = testing::dump_database(dir.file("p.db"));
  write_profile(dir, bad.posts, bad.followers);
  try {
    ingest_profile(options_for(dir), dir.file("p.db"));
    FAIL() << "accepted bad input: " << bad.name;
  } catch (const InputError& error) {
    EXPECT_NE(error.file().find(bad.file), std::string::npos) << error.what();
    EXPECT_EQ(error.line(), bad.line) << error.what();
    EXPECT_EQ(error.field(), bad.field) << error.what();
  }
  EXPECT_EQ(testing::dump_database(dir.file("p.db")), before);
  // A database that did not exist is not created by a failed ingest.
  EXPECT_THROW(ingest_profile(options_for(dir), dir.file("new.db")), InputError);
  EXPECT_FALSE(std::filesystem::exists(dir.file("new.db")));
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

INSTANTIATE_TEST_SUITE_P(
    Ingest, IngestBadInput,
    ::testing::Values(
        BadInputCase{"unparseable date", replace(kPosts, "2021-01-08T10:00:00", "08/01/2021"), kFollowers,
                     "posts.csv", 3, "timestamp"},
        BadInputCase{"negative likes", replace(kPosts, ",300,15,", ",-300,15,"), kFollowers, "posts.csv", 4,
                     "likes"},
        BadInputCase{"non-numeric comments", replace(kPosts, ",200,10,", ",200,ten,"), kFollowers, "posts.csv",
                     3, "comments"},
        BadInputCase{"duplicate post id", replace(kPosts, "\nc,", "\na,"), kFollowers, "posts.csv", 4,
                     "post_id"},
        BadInputCase{"missing media file", replace(kPosts, "media/b.mp4", "media/gone.mp4"), kFollowers,
                     "posts.csv", 3, "media"},
        BadInputCase{"unknown kind", replace(kPosts, ",video,", ",reel,"), kFollowers, "posts.csv", 3, "kind"},
        BadInputCase{"empty followers", kPosts, "date,followers\n", "followers.csv", 0, "followers"},
        BadInputCase{"bad follower count", kPosts, "date,followers\n2021-01-01,many\n", "followers.csv", 2,
                     "followers"}),
    [](const ::testing::TestParamInfo<BadInputCase>& info) {
      std::string name = info.param.name;
      for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
      }
      return name;
    });

TEST(Ingest, RefusesASecondProfileInOneDatabase) {
  TempDir dir;
  write_profile(dir);
  ingest_profile(options_for(dir), dir.file("p.db"));
  IngestOptions other = options_for(dir);
  other.name = "someone-else";
  EXPECT_THROW(ingest_profile(other, dir.file("p.db")), ConfigError);
}

}  // namespace
}  // namespace popsweep::data
