// orchestrator/scheduler.cc when the disk fills up in the middle of a sweep
// (SQLITE_FULL from a VFS that fails writes): the sweep stops with the
// disk-full error naming the database instead of spending jobs' attempts or
// dropping a batch, nothing committed before is lost, and a rerun with space
// ends with exactly the rows of an uninterrupted sweep.
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "orchestrator/in_process_transport.h"
#include "orchestrator/scheduler.h"
#include "orchestrator/worker_loop.h"
#include "storage/database.h"
#include "storage/job_tables.h"
#include "tests/support/full_disk_vfs.h"
#include "tests/support/temp_dir.h"

namespace popsweep::orchestrator {
namespace {

using storage::JobStatus;
using testing::FullDiskVfs;
using testing::TempDir;

constexpr int kWorkerJobs = 12;
constexpr int kPartialsPerJob = 2;
constexpr size_t kRowBytes = 8 * 1024;  // rows big enough that the disk fills within a few jobs

// Each job sends a few partial batches, then its result.
class BatchExecutor : public JobExecutor {
 public:
  Message execute(const Message& job, const std::function<bool()>&, const Emitter& emit) override {
    const nlohmann::json params = nlohmann::json::parse(job.header["params"].get<std::string>());
    for (int part = 0; part < kPartialsPerJob; ++part) emit(make_message("partial", {{"part", part}}));
    return make_message("result", {{"value", params.at("value")}});
  }
  void accept_dataset(const Message&) override {}
};

// Records every message as a row (what a real stage does with features and
// results), so a lost batch or a half-recorded result shows in the tables.
class RowWritingHandlers : public StageHandlers {
 public:
  explicit RowWritingHandlers(storage::Database& db) : db_(db) {}
  void run_on_coordinator(const storage::JobRow& job) override { write("coordinator_rows", job.id, 0, 0); }
  RemoteDispatch prepare_remote(const storage::JobRow& job) override {
    RemoteDispatch dispatch;
    dispatch.job = make_message("job", {{"params", job.params}});
    return dispatch;
  }
  Message dataset_message(const std::string&) override { return make_message("dataset"); }
  void record_partial(const storage::JobRow& job, const Message& partial) override {
    write("batch_rows", job.id, partial.header.at("part").get<int>(), 0);
  }
  void record_result(const storage::JobRow& job, const Message& result) override {
    write("result_rows", job.id, 0, result.header.at("value").get<int>());
  }
  void record_interruption(const storage::JobRow&, const Message&) override {}

 private:
  void write(const std::string& table, std::int64_t job, int part, int value) {
    const std::vector<char> data(kRowBytes, static_cast<char>('a' + value % 26));
    // OR REPLACE, as the real stages write: a job run again (it was running
    // when the disk filled) sends its batches again, and a batch that cannot
    // be saved fails the job.
    db_.prepare("INSERT OR REPLACE INTO " + table + " (job_id, part, value, data) VALUES (?, ?, ?, ?)")
        .bind(1, job)
        .bind(2, part)
        .bind(3, value)
        .bind_blob(4, data.data(), data.size())
        .run();
  }
  storage::Database& db_;
};

std::int64_t create_sweep(storage::Database& db) {
  for (const char* table : {"coordinator_rows", "batch_rows", "result_rows"}) {
    db.execute(std::string("CREATE TABLE ") + table +
               " (job_id INTEGER NOT NULL, part INTEGER NOT NULL, value INTEGER NOT NULL, data BLOB NOT NULL,"
               " PRIMARY KEY (job_id, part))");
  }
  const std::int64_t sweep = storage::upsert_sweep(db, {0, "disk-full", "", "h", 1, 0, 0, ""});
  std::vector<std::int64_t> ids;
  const std::int64_t label = storage::ensure_job(db, "label", "label", "{}", 0);
  ids.push_back(label);
  for (int i = 0; i < kWorkerJobs; ++i) {
    const std::string key = "train" + std::to_string(i);
    ids.push_back(storage::ensure_job(db, key, "train", nlohmann::json{{"value", i}}.dump(), 0));
    storage::add_dependency(db, ids.back(), label);
  }
  storage::set_sweep_jobs(db, sweep, ids);
  return sweep;
}

SchedulerOutcome run_sweep_on(storage::Database& db, std::int64_t sweep) {
  RowWritingHandlers handlers(db);
  InProcessTransport transport(2, [](WorkerChannel& channel, int) {
    BatchExecutor executor;
    WorkerLoopOptions loop;
    loop.heartbeat_interval = std::chrono::milliseconds(20);
    run_worker_loop(channel, executor, loop);
  });
  return run_scheduler(db, sweep, transport, handlers, {});
}

// The rows the sweep wrote, in a comparable text form.
std::string written_rows(const std::string& path) {
  storage::Database db = storage::Database::open(path, storage::Database::Access::ReadOnly);
  std::string rows;
  for (const char* table : {"coordinator_rows", "batch_rows", "result_rows"}) {
    storage::Statement query =
        db.prepare(std::string("SELECT job_id, part, value, length(data), hex(substr(data, 1, 4)) FROM ") +
                   table + " ORDER BY job_id, part");
    while (query.step()) {
      rows += table;
      for (int c = 0; c < 5; ++c) rows += "|" + query.column_text(c);
      rows += "\n";
    }
  }
  return rows;
}

int count_status(storage::Database& db, std::int64_t sweep, JobStatus status) {
  int count = 0;
  for (const storage::JobRow& job : storage::load_sweep_jobs(db, sweep)) count += job.status == status;
  return count;
}

TEST(SchedulerDiskFull, SweepStopsWithTheErrorKeepsWhatWasCommittedAndResumesWithSpace) {
  FullDiskVfs disk;  // first: outlives the connections
  TempDir dir;

  // The uninterrupted sweep, and how much it writes.
  const std::string whole_path = dir.file("whole.db");
  std::int64_t sweep_bytes = 0;
  {
    storage::Database whole = storage::Database::open(whole_path);
    const std::int64_t sweep = create_sweep(whole);
    const std::int64_t before = disk.bytes_written();
    const SchedulerOutcome outcome = run_sweep_on(whole, sweep);
    sweep_bytes = disk.bytes_written() - before;
    ASSERT_EQ(outcome.done, kWorkerJobs + 1);
  }

  // The same sweep on a disk that fills up half-way.
  const std::string path = dir.file("filled.db");
  storage::Database db = storage::Database::open(path);
  const std::int64_t sweep = create_sweep(db);
  disk.fill_after(sweep_bytes / 2);
  try {
    run_sweep_on(db, sweep);
    FAIL() << "the sweep should have stopped on the full disk";
  } catch (const storage::StorageError& error) {
    const std::string message = error.what();
    EXPECT_TRUE(storage::is_disk_full(error)) << message;
    EXPECT_NE(message.find("the disk is full"), std::string::npos) << message;
    EXPECT_NE(message.find(path), std::string::npos) << message;
  }
  EXPECT_GT(disk.writes_refused(), 0);
  disk.make_room();

  // What was committed is there; no job was charged for the full disk.
  const int done = count_status(db, sweep, JobStatus::Done);
  EXPECT_GT(done, 0);
  EXPECT_LT(done, kWorkerJobs + 1);
  EXPECT_EQ(count_status(db, sweep, JobStatus::Failed), 0);
  for (const storage::JobRow& job : storage::load_sweep_jobs(db, sweep)) {
    EXPECT_LE(job.attempts, 1) << "job " << job.id;
    if (job.status != JobStatus::Done || job.stage != "train") continue;
    EXPECT_EQ(db.query_int("SELECT count(*) FROM result_rows WHERE job_id = " + std::to_string(job.id)), 1);
    EXPECT_EQ(db.query_int("SELECT count(*) FROM batch_rows WHERE job_id = " + std::to_string(job.id)),
              kPartialsPerJob);
  }

  // With space again the same sweep finishes, row for row as the uninterrupted one.
  const SchedulerOutcome resumed = run_sweep_on(db, sweep);
  EXPECT_EQ(resumed.failed, 0);
  EXPECT_EQ(count_status(db, sweep, JobStatus::Done), kWorkerJobs + 1);
  EXPECT_EQ(written_rows(path), written_rows(whole_path));
}

}  // namespace
}  // namespace popsweep::orchestrator
