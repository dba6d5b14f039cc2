#include "storage/database.h"

#include <gtest/gtest.h>

#include "storage/filesystem_check.h"
#include "storage/schema.h"
#include "tests/support/temp_dir.h"

namespace popsweep::storage {
namespace {

TEST(Database, CreatesWalDatabaseAtLatestSchema) {
  testing::TempDir dir;
  Database db = Database::open(dir.file("a.db"));
  EXPECT_EQ(db.query_int("PRAGMA user_version"), latest_schema_version());
  Statement mode = db.prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.step());
  EXPECT_EQ(mode.column_text(0), "wal");
  EXPECT_EQ(db.query_int("PRAGMA foreign_keys"), 1);
}

TEST(Database, TransactionRollsBackUnlessCommitted) {
  Database db = Database::open_in_memory();
  db.execute("CREATE TABLE t (x INTEGER)");
  {
    Transaction transaction(db);
    db.prepare("INSERT INTO t VALUES (?)").bind(1, 1).run();
    // destroyed without commit
  }
  EXPECT_EQ(db.query_int("SELECT COUNT(*) FROM t"), 0);
  try {
    Transaction transaction(db);
    db.prepare("INSERT INTO t VALUES (?)").bind(1, 2).run();
    throw std::runtime_error("boom");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(db.query_int("SELECT COUNT(*) FROM t"), 0);
  {
    Transaction transaction(db);
    db.prepare("INSERT INTO t VALUES (?)").bind(1, 3).run();
    transaction.commit();
  }
  EXPECT_EQ(db.query_int("SELECT COUNT(*) FROM t"), 1);
}

TEST(Database, NestedTransactionsAreSavepoints) {
  Database db = Database::open_in_memory();
  db.execute("CREATE TABLE t (x INTEGER)");
  {
    Transaction outer(db);
    db.prepare("INSERT INTO t VALUES (1)").run();
    {
      Transaction inner(db);
      db.prepare("INSERT INTO t VALUES (2)").run();
      // not committed: only the inner insert is undone
    }
    {
      Transaction inner(db);
      db.prepare("INSERT INTO t VALUES (3)").run();
      inner.commit();
    }
    outer.commit();
  }
  EXPECT_EQ(db.query_int("SELECT SUM(x) FROM t"), 4);
  {
    Transaction outer(db);
    Transaction inner(db);
    db.prepare("INSERT INTO t VALUES (10)").run();
    inner.commit();
    // the outer one rolls back, taking the committed savepoint with it
  }
  EXPECT_EQ(db.query_int("SELECT SUM(x) FROM t"), 4);
}

TEST(Database, ForeignKeysAreEnforced) {
  Database db = Database::open_in_memory();
  EXPECT_THROW(db.prepare("INSERT INTO media (post_id, media_index, media_type, path, content_hash, size_bytes) "
                          "VALUES (999, 0, 'image', 'x.jpg', 'h', 1)")
                   .run(),
               StorageError);
}

TEST(Database, RefusesDatabaseFromNewerPopsweep) {
  testing::TempDir dir;
  {
    Database db = Database::open(dir.file("a.db"));
    db.execute("PRAGMA user_version = 9999");
  }
  EXPECT_THROW(Database::open(dir.file("a.db")), StorageError);
  EXPECT_THROW(Database::open(dir.file("a.db"), Database::Access::ReadOnly), StorageError);
}

TEST(Database, ReadOnlyRefusesMissingFile) {
  testing::TempDir dir;
  EXPECT_THROW(Database::open(dir.file("missing.db"), Database::Access::ReadOnly), StorageError);
}

TEST(Database, ReaderSeesCommittedDataWhileWriterHoldsConnection) {
  testing::TempDir dir;
  Database writer = Database::open(dir.file("a.db"));
  writer.execute("CREATE TABLE t (x INTEGER)");
  Transaction transaction(writer);
  writer.prepare("INSERT INTO t VALUES (1)").run();
  Database reader = Database::open(dir.file("a.db"), Database::Access::ReadOnly);
  // WAL: the reader is not blocked and sees the last committed state.
  EXPECT_EQ(reader.query_int("SELECT COUNT(*) FROM t"), 0);
  transaction.commit();
  EXPECT_EQ(reader.query_int("SELECT COUNT(*) FROM t"), 1);
}

}  // namespace
}  // namespace popsweep::storage

namespace popsweep::storage {
namespace {

TEST(FilesystemCheck, KnowsTheNetworkFileSystems) {
  EXPECT_EQ(network_filesystem_name(0x6969), "nfs");
  EXPECT_EQ(network_filesystem_name(0x0BD00BD0), "lustre");
  EXPECT_EQ(network_filesystem_name(0x47504653), "gpfs");
  EXPECT_EQ(network_filesystem_name(static_cast<long>(0xFF534D42UL)), "cifs");
  EXPECT_FALSE(network_filesystem_name(0xEF53));      // ext4
  EXPECT_FALSE(network_filesystem_name(0x58465342));  // xfs
  EXPECT_FALSE(network_filesystem_name(0x01021994));  // tmpfs
}

TEST(FilesystemCheck, NetworkFileSystemGetsTheRollbackJournal) {
  testing::TempDir dir;
  setenv("POPSWEEP_ASSUME_NETWORK_FS", "nfs", 1);
  Database db = Database::open(dir.file("n.db"));
  unsetenv("POPSWEEP_ASSUME_NETWORK_FS");
  Statement mode = db.prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.step());
  EXPECT_EQ(mode.column_text(0), "delete");
  EXPECT_EQ(db.query_int("PRAGMA user_version"), latest_schema_version());
}

}  // namespace
}  // namespace popsweep::storage
