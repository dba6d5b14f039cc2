// Checkpoints over 1 MiB live beside the database (issue 20,
// storage/checkpoint_files.h): the row keeps the file's SHA-256 and no
// bytes, reading checks the checksum, and doctor's check finds missing,
// corrupt and orphaned files. The truth: the file's bytes and SHA-256 as
// read back from disk, independent of the store's bookkeeping.
#include "storage/checkpoint_files.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "common/error.h"
#include "common/file_util.h"
#include "common/sha256.h"
#include "storage/checkpoint_file_check.h"
#include "storage/database.h"
#include "storage/job_tables.h"
#include "storage/result_tables.h"
#include "tests/support/temp_dir.h"

namespace popsweep::storage {
namespace {

std::string bytes_of(size_t size, char seed) {
  std::string bytes(size, '\0');
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>(seed + i * 131 % 251);
  return bytes;
}

CheckpointRow checkpoint(std::int64_t job, const std::string& kind, std::string data) {
  CheckpointRow row;
  row.job_id = job;
  row.kind = kind;
  row.epoch = 3;
  row.data = std::move(data);
  return row;
}

std::int64_t a_job(Database& db, const std::string& key) { return ensure_job(db, key, "train", "{}", 1); }

TEST(CheckpointFiles, LargeCheckpointsAreFilesNamedByTheirHashAndSmallOnesStayInTheRow) {
  testing::TempDir dir;
  Database db = Database::open(dir.file("p.db"));
  const std::int64_t job = a_job(db, "j1");
  const std::string large = bytes_of(kCheckpointFileThreshold + 1, 'a'), small = bytes_of(1000, 'b');
  save_checkpoint(db, checkpoint(job, "best", large));
  save_checkpoint(db, checkpoint(job, "resume", small));

  Statement rows = db.prepare("SELECT kind, length(data), file_sha256 FROM checkpoints ORDER BY kind");
  ASSERT_TRUE(rows.step());
  EXPECT_EQ(rows.column_text(0), "best");
  EXPECT_EQ(rows.column_int(1), 0);
  const std::string sha = rows.column_text(2);
  EXPECT_EQ(sha, sha256_hex(large));
  ASSERT_TRUE(rows.step());
  EXPECT_EQ(rows.column_int(1), 1000);
  EXPECT_TRUE(rows.column_is_null(2));
  rows.reset();

  const std::string file = dir.file("p.db.checkpoints/" + sha + ".pt");
  const std::vector<std::uint8_t> on_disk = read_binary_file(file);
  EXPECT_EQ(std::string(on_disk.begin(), on_disk.end()), large);
  EXPECT_EQ(load_checkpoint(db, job, "best")->data, large);
  EXPECT_EQ(load_checkpoint(db, job, "resume")->data, small);
  // Nothing but the file: no temporary left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.file("p.db.checkpoints")),
                          std::filesystem::directory_iterator()),
            1);
}

TEST(CheckpointFiles, InMemoryDatabasesKeepEveryCheckpointInTheRow) {
  Database db = Database::open_in_memory();
  const std::int64_t job = a_job(db, "j1");
  const std::string large = bytes_of(kCheckpointFileThreshold + 10, 'c');
  save_checkpoint(db, checkpoint(job, "best", large));
  EXPECT_EQ(db.query_int("SELECT length(data) FROM checkpoints"), static_cast<std::int64_t>(large.size()));
  EXPECT_EQ(load_checkpoint(db, job, "best")->data, large);
}

TEST(CheckpointFiles, ReadingACorruptOrMissingFileNamesIt) {
  testing::TempDir dir;
  Database db = Database::open(dir.file("p.db"));
  const std::int64_t job = a_job(db, "j1");
  const std::string large = bytes_of(kCheckpointFileThreshold * 2, 'd');
  save_checkpoint(db, checkpoint(job, "best", large));
  const std::string file = checkpoint_file_path(db, sha256_hex(large));
  std::string damaged = large;
  damaged[12345] ^= 1;
  write_file_atomically(file, damaged);
  try {
    load_checkpoint(db, job, "best");
    FAIL() << "a corrupt checkpoint file was read";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find(file), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("corrupt"), std::string::npos) << error.what();
  }
  std::filesystem::remove(file);
  EXPECT_THROW(load_checkpoint(db, job, "best"), InputError);
}

TEST(CheckpointFiles, DoctorFindsMissingCorruptAndOrphanedFilesAndRepairsThem) {
  testing::TempDir dir;
  Database db = Database::open(dir.file("p.db"));
  const std::int64_t lost = a_job(db, "lost"), damaged = a_job(db, "damaged"), sound = a_job(db, "sound");
  const std::string a = bytes_of(kCheckpointFileThreshold + 1, 'e'),
                    b = bytes_of(kCheckpointFileThreshold + 2, 'f'),
                    c = bytes_of(kCheckpointFileThreshold + 3, 'g');
  save_checkpoint(db, checkpoint(lost, "best", a));
  save_checkpoint(db, checkpoint(damaged, "resume", b));
  save_checkpoint(db, checkpoint(sound, "best", c));
  EXPECT_TRUE(check_checkpoint_files(db, false).empty());

  std::filesystem::remove(checkpoint_file_path(db, sha256_hex(a)));
  write_file_atomically(checkpoint_file_path(db, sha256_hex(b)), "not the state");
  const std::string orphan = dir.write("p.db.checkpoints/" + sha256_hex("old") + ".pt", "old");
  const CheckpointFileAudit audit = audit_checkpoint_files(db);
  EXPECT_EQ(audit.referenced, 3);
  ASSERT_EQ(audit.missing.size(), 1u);
  EXPECT_NE(audit.missing[0].find("job " + std::to_string(lost) + " best"), std::string::npos)
      << audit.missing[0];
  ASSERT_EQ(audit.corrupt.size(), 1u);
  EXPECT_NE(audit.corrupt[0].find("job " + std::to_string(damaged) + " resume"), std::string::npos);
  EXPECT_EQ(audit.orphans, std::vector<std::string>{orphan});

  const std::vector<Finding> listed = check_checkpoint_files(db, false);
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_TRUE(file_exists(orphan));  // listed only
  const std::vector<Finding> repaired = check_checkpoint_files(db, true);
  for (const Finding& finding : repaired) EXPECT_TRUE(finding.repaired) << finding.what;
  EXPECT_FALSE(file_exists(orphan));
  EXPECT_EQ(db.query_int("SELECT COUNT(*) FROM checkpoints"), 1);
  EXPECT_EQ(load_checkpoint(db, sound, "best")->data, c);
  EXPECT_TRUE(check_checkpoint_files(db, false).empty());
}

}  // namespace
}  // namespace popsweep::storage
