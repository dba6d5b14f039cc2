// A study keeps several profiles in one database (issue 19). Under a
// ProfileScope the readers see only that profile and the writers replace
// only its labels and duplicates; without one, a database of one profile
// behaves as before and load_media_of_posts sees every profile.
#include <gtest/gtest.h>

#include "storage/database.h"
#include "storage/feature_tables.h"
#include "storage/label_tables.h"
#include "storage/profile_tables.h"
#include "storage/profile_writer.h"

namespace popsweep::storage {
namespace {

struct TwoProfiles {
  Database db = Database::open_in_memory();
  std::int64_t first = 0, second = 0;
  std::vector<std::int64_t> media;  // two per profile: first's, then second's

  TwoProfiles() {
    for (const char* name : {"alpha", "beta"}) {
      const std::int64_t profile = upsert_profile(db, {0, name, std::string("/data/") + name, "popsweep", 0});
      (first == 0 ? first : second) = profile;
      const std::int64_t post = insert_post(db, profile, {0, "p1", 1000, 10, 1, std::nullopt, "image", ""});
      for (int index = 0; index < 2; ++index) {
        media.push_back(insert_media(db, {0, post, index, "image", "m" + std::to_string(index) + ".jpg", "",
                                          std::string(name) + std::to_string(index), 1, ""}));
      }
    }
  }
};

TEST(ProfileScope, ReadersSeeTheScopedProfile) {
  TwoProfiles data;
  EXPECT_EQ(find_profile(data.db)->name, "alpha");  // unscoped: the first, as before
  EXPECT_EQ(load_media_of_posts(data.db).size(), 4u);
  {
    const ProfileScope scope(data.second);
    EXPECT_EQ(find_profile(data.db)->name, "beta");
    const std::vector<MediaOfPost> media = load_media_of_posts(data.db);
    ASSERT_EQ(media.size(), 2u);
    EXPECT_EQ(media[0].path, "/data/beta/m0.jpg");  // each profile's own folder
  }
  EXPECT_EQ(scoped_profile_id(), 0);
  EXPECT_EQ(find_profile_named(data.db, "beta")->id, data.second);
  EXPECT_EQ(load_profiles(data.db).size(), 2u);
}

TEST(ProfileScope, WritersReplaceOnlyTheScopedProfilesLabelsAndDuplicates) {
  TwoProfiles data;
  const LabelConfigRow config{0, 2, 8, "centered"};
  std::int64_t config_id = 0;
  {
    const ProfileScope scope(data.first);
    config_id =
        save_labels(data.db, config, {{data.media[0], 1, false, 1, 0}, {data.media[1], 1, false, 2, 1}});
  }
  {
    const ProfileScope scope(data.second);
    save_labels(data.db, config, {{data.media[2], 1, false, 1, 1}, {data.media[3], 1, false, 2, 0}});
  }
  EXPECT_EQ(load_labels(data.db, config_id).size(), 4u);  // beta's labels did not wipe alpha's
  {
    const ProfileScope scope(data.second);
    drop_all_labels(data.db);
  }
  EXPECT_EQ(load_labels(data.db, config_id).size(), 2u);

  const std::int64_t set = ensure_feature_set(data.db, {"b", "w", "p", 4});
  {
    const ProfileScope scope(data.first);
    replace_duplicates(data.db, set, {{data.media[1], data.media[0], 0.1, 1}});
  }
  {
    const ProfileScope scope(data.second);
    replace_duplicates(data.db, set, {{data.media[3], data.media[2], 0.2, 1}});
  }
  EXPECT_EQ(load_duplicates(data.db, set).size(), 2u);
  // Unscoped, as before studies: the whole set is replaced.
  replace_duplicates(data.db, set, {});
  EXPECT_EQ(load_duplicates(data.db, set).size(), 0u);
}

}  // namespace
}  // namespace popsweep::storage
