// The coordinator lease row (migration 8): only its holder renews or
// releases it, and there is never more than one.
#include "storage/lease_tables.h"

#include <gtest/gtest.h>

#include "storage/database.h"

namespace popsweep::storage {
namespace {

LeaseRow row_of(const std::string& holder) {
  LeaseRow row;
  row.holder = holder;
  row.host = "node1";
  row.boot_id = "b";
  row.pid = 7;
  row.process_start = 9;
  row.started_at = 100;
  row.heartbeat = 0;
  row.renewed_at = 100;
  row.heartbeat_ms = 5000;
  row.lifetime_ms = 90000;
  return row;
}

TEST(LeaseTables, OnlyTheHolderRenewsOrReleasesTheOneRow) {
  Database db = Database::open_in_memory();
  EXPECT_FALSE(read_lease(db));
  EXPECT_FALSE(renew_lease(db, "a", 101));
  write_lease(db, row_of("a"));
  EXPECT_TRUE(renew_lease(db, "a", 105));
  EXPECT_TRUE(renew_lease(db, "a", 110));
  EXPECT_FALSE(renew_lease(db, "b", 110));
  std::optional<LeaseRow> row = read_lease(db);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->heartbeat, 2);
  EXPECT_EQ(row->renewed_at, 110);
  EXPECT_EQ(row->pid, 7);
  EXPECT_EQ(row->lifetime_ms, 90000);

  write_lease(db, row_of("b"));  // a take-over replaces the row
  EXPECT_EQ(db.query_int("SELECT count(*) FROM coordinator_lease"), 1);
  EXPECT_FALSE(release_lease(db, "a"));
  EXPECT_EQ(read_lease(db)->holder, "b");
  EXPECT_TRUE(release_lease(db, "b"));
  EXPECT_FALSE(read_lease(db));
}

}  // namespace
}  // namespace popsweep::storage
