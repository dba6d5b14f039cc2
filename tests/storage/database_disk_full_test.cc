// storage/database.cc when the disk fills up (SQLITE_FULL, injected by a VFS
// that fails writes): the error says the disk is full and names the file, the
// failed write leaves nothing behind, and what was committed before is kept.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/database.h"
#include "tests/support/full_disk_vfs.h"
#include "tests/support/temp_dir.h"

namespace popsweep::storage {
namespace {

using testing::FullDiskVfs;
using testing::TempDir;

void insert_rows(Database& db, int first, int count, size_t bytes) {
  Statement insert = db.prepare("INSERT INTO payload (id, data) VALUES (?, ?)");
  const std::vector<char> data(bytes, 'x');
  for (int id = first; id < first + count; ++id) {
    insert.bind(1, id).bind_blob(2, data.data(), data.size());
    insert.run();
  }
}

void expect_disk_full_message(const StorageError& error, const std::string& path) {
  const std::string message = error.what();
  EXPECT_TRUE(is_disk_full(error)) << message;
  EXPECT_NE(message.find("the disk is full"), std::string::npos) << message;
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("run the same command again"), std::string::npos) << message;
}

class DatabaseDiskFull : public ::testing::Test {
 protected:
  void SetUp() override {
    Database db = Database::open(path);
    db.execute("CREATE TABLE payload (id INTEGER PRIMARY KEY, data BLOB NOT NULL)");
    Transaction transaction(db);
    insert_rows(db, 0, 20, 4096);
    transaction.commit();
  }
  void expect_committed_rows_intact() {
    disk.make_room();
    Database db = Database::open(path);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM payload"), 20);
    EXPECT_EQ(db.query_int("SELECT max(id) FROM payload"), 19);
    Statement check = db.prepare("PRAGMA integrity_check");
    ASSERT_TRUE(check.step());
    EXPECT_EQ(check.column_text(0), "ok");
    // With space again the same writes go through.
    insert_rows(db, 20, 5, 4096);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM payload"), 25);
  }

  FullDiskVfs disk;  // declared first: outlives every connection
  TempDir dir;
  std::string path = dir.file("sweep.db");
};

// A statement in autocommit mode: the failure surfaces from sqlite3_step.
TEST_F(DatabaseDiskFull, FailedStatementSaysTheDiskIsFullAndNamesTheDatabase) {
  {
    Database db = Database::open(path);
    disk.fill_after(0);
    try {
      insert_rows(db, 100, 1, 4096);
      FAIL() << "the write should have failed";
    } catch (const StorageError& error) {
      expect_disk_full_message(error, path);
    }
    EXPECT_GT(disk.writes_refused(), 0);
  }
  expect_committed_rows_intact();
}

// A transaction whose pages reach the disk at COMMIT: the commit fails, and
// none of its rows are kept.
TEST_F(DatabaseDiskFull, FailedCommitKeepsNothingOfItsTransaction) {
  {
    Database db = Database::open(path);
    disk.fill_after(64 * 1024);
    try {
      Transaction transaction(db);
      insert_rows(db, 100, 50, 4096);
      transaction.commit();
      FAIL() << "the commit should have failed";
    } catch (const StorageError& error) {
      expect_disk_full_message(error, path);
    }
  }
  expect_committed_rows_intact();
}

TEST_F(DatabaseDiskFull, OtherErrorsAreNotMistakenForAFullDisk) {
  Database db = Database::open(path);
  try {
    db.execute("INSERT INTO payload (id, data) VALUES (0, 'duplicate id')");
    FAIL() << "the insert should have failed";
  } catch (const StorageError& error) {
    EXPECT_FALSE(is_disk_full(error)) << error.what();
  }
}

}  // namespace
}  // namespace popsweep::storage
