// The glance squares extraction stores for pixel verification (issue 21,
// storage/glance_tables.h): the bytes come back as written, per feature set,
// a square of the wrong size is refused, and deleting the feature set takes
// its squares with it. Only the squares asked for are read.
#include "storage/glance_tables.h"

#include <gtest/gtest.h>

#include "storage/database.h"
#include "storage/feature_tables.h"

namespace popsweep::storage {
namespace {

GlanceSquareRow square(const std::string& hash, int side, std::uint8_t seed) {
  GlanceSquareRow row;
  row.content_hash = hash;
  row.side = side;
  for (int i = 0; i < side * side * 3; ++i) row.pixels.push_back(static_cast<std::uint8_t>(seed + i * 7));
  return row;
}

TEST(GlanceTables, SquaresComeBackPerFeatureSet) {
  Database db = Database::open_in_memory();
  const std::int64_t first = ensure_feature_set(db, {"mobilenet_v2", "sha", "224", 1280});
  const std::int64_t second = ensure_feature_set(db, {"efficientnet_b0", "random:0", "224", 1280});
  save_glance_squares(db, first, {square("a", 32, 1), square("b", 32, 2)});
  save_glance_squares(db, second, {square("a", 32, 9)});
  const auto in_first = load_glance_squares(db, first, {"a", "b", "c"});
  ASSERT_EQ(in_first.size(), 2u);                               // "c" has none
  EXPECT_EQ(load_glance_squares(db, first, {"b"}).size(), 1u);  // only what is asked for
  EXPECT_EQ(in_first.at("a").pixels, square("a", 32, 1).pixels);
  EXPECT_EQ(in_first.at("b").side, 32);
  const auto in_second = load_glance_squares(db, second, {"a", "b"});
  ASSERT_EQ(in_second.size(), 1u);
  EXPECT_EQ(in_second.at("a").pixels, square("a", 32, 9).pixels);
  // Written again (an extraction resumed on the same media): replaced, not doubled.
  save_glance_squares(db, first, {square("a", 32, 5)});
  EXPECT_EQ(load_glance_squares(db, first, {"a", "b", "c"}).at("a").pixels, square("a", 32, 5).pixels);
  EXPECT_EQ(db.query_int("SELECT count(*) FROM glance_squares"), 3);
  db.execute("DELETE FROM feature_sets WHERE id = " + std::to_string(second));
  EXPECT_TRUE(load_glance_squares(db, second, {"a", "b"}).empty());
}

TEST(GlanceTables, ASquareOfTheWrongSizeIsRefusedAndNothingOfItsBatchKept) {
  Database db = Database::open_in_memory();
  const std::int64_t set = ensure_feature_set(db, {"mobilenet_v2", "sha", "224", 1280});
  GlanceSquareRow short_row = square("b", 32, 2);
  short_row.pixels.pop_back();
  try {
    save_glance_squares(db, set, {square("a", 32, 1), short_row});
    FAIL() << "a short square was stored";
  } catch (const StorageError& error) {
    EXPECT_NE(std::string(error.what()).find("b"), std::string::npos) << error.what();
  }
  EXPECT_TRUE(load_glance_squares(db, set, {"a", "b"}).empty());
}

}  // namespace
}  // namespace popsweep::storage
