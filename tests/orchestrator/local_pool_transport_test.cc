// The local pool with real `popsweep worker` processes: a worker killed with
// SIGKILL mid-job only costs that job an attempt; the sweep completes. A
// worker killed while idle, or one that writes bytes that are not a message,
// is replaced; the coordinator carries on.
#include "orchestrator/local_pool_transport.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <thread>

#include "orchestrator/pipeline_handlers.h"
#include "orchestrator/scheduler.h"
#include "orchestrator/stages/noop_stage.h"
#include "storage/database.h"
#include "tests/support/temp_dir.h"

namespace popsweep::orchestrator {
namespace {

WorkerCommand worker_command() { return {testing::popsweep_binary(), {"worker", "--threads", "1"}, {}}; }

TEST(LocalPoolTransport, WorkersSayHelloAndStop) {
  LocalPoolTransport pool(2, worker_command());
  int hellos = 0;
  for (int i = 0; i < 2; ++i) {
    const std::optional<ReceivedMessage> message = pool.receive(std::chrono::seconds(20));
    ASSERT_TRUE(message);
    hellos += message->message.type() == "hello";
  }
  EXPECT_EQ(hellos, 2);
  pool.shutdown();
}

// The command's environment entries reach the worker process on top of the
// coordinator's own (which still arrives: PATH is there too).
TEST(LocalPoolTransport, WorkersGetTheCommandsEnvironment) {
  testing::TempDir dir;
  const std::string seen = dir.file("seen");
  WorkerCommand command{"/bin/sh",
                        {"-c", "printf '%s|%s' \"$POPSWEEP_POOL_TEST\" \"${PATH:+set}\" > " + seen +
                                   ".tmp && mv " + seen + ".tmp " + seen},
                        {"POPSWEEP_POOL_TEST=passed on"}};
  {
    LocalPoolTransport pool(1, command);
    for (int i = 0; i < 1000 && !std::ifstream(seen); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::ifstream in(seen);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "passed on|set");
}

// A sweep of `count` noop jobs in a database file, with a scheduler log.
struct NoopSweep {
  testing::TempDir dir;
  storage::Database db = storage::Database::open(dir.file("k.db"));
  std::int64_t sweep = storage::upsert_sweep(db, {0, "noop", "", "", 0, 0, 0, ""});
  std::vector<std::int64_t> ids;
  PipelineHandlers handlers;
  std::vector<std::string> log;
  SchedulerOptions options;

  NoopSweep(int count, const std::string& params) {
    for (int i = 0; i < count; ++i) {
      ids.push_back(storage::ensure_job(db, "noop-" + std::to_string(i), "noop", params, 0));
    }
    storage::set_sweep_jobs(db, sweep, ids);
    handlers.add_stage("noop", std::make_unique<NoopStage>());
    options.log = [this](const std::string& line) { log.push_back(line); };
  }
  SchedulerOutcome run(CoordinatorTransport& transport) {
    return run_scheduler(db, sweep, transport, handlers, options);
  }
};

TEST(LocalPoolTransport, KilledWorkerLosesOnlyItsJob) {
  NoopSweep noop(6, R"({"sleep_ms": 400})");
  testing::TempDir& dir = noop.dir;
  storage::Database& db = noop.db;
  const std::vector<std::int64_t>& ids = noop.ids;
  std::vector<std::string>& log = noop.log;
  LocalPoolTransport pool(2, worker_command());
  // Kill worker 0 once it is seen running a job (however slow the machine).
  const std::string victim = pool.worker_name(0);
  const pid_t victim_pid = pool.pid_of(0);
  std::thread killer([&] {
    storage::Database reader = storage::Database::open(dir.file("k.db"), storage::Database::Access::ReadOnly);
    for (int i = 0; i < 2000; ++i) {
      storage::Statement running =
          reader.prepare("SELECT COUNT(*) FROM jobs WHERE status = 'running' AND worker = ?");
      running.bind(1, victim);
      if (running.step() && running.column_int(0) > 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(victim_pid, SIGKILL);
  });
  const SchedulerOutcome outcome = noop.run(pool);
  killer.join();
  pool.shutdown();
  EXPECT_EQ(outcome.done, 6);
  int retried = 0;
  for (const std::int64_t id : ids) retried += storage::find_job(db, id)->attempts == 2;
  EXPECT_EQ(retried, 1);
  bool explained = false;
  for (const std::string& line : log) explained |= line.find("killed by signal 9") != std::string::npos;
  EXPECT_TRUE(explained);
}

// Waits until the process has ended (a zombie: its sockets are closed).
void wait_until_dead(pid_t pid) {
  for (int i = 0; i < 2000; ++i) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string pid_field, name, state;
    if (!(stat >> pid_field >> name >> state) || state == "Z") return;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

TEST(LocalPoolTransport, SendToAWorkerThatDiedWhileIdleThrowsWorkerGoneAndItIsReplaced) {
  LocalPoolTransport pool(1, worker_command());
  std::optional<ReceivedMessage> hello = pool.receive(std::chrono::seconds(20));
  ASSERT_TRUE(hello);
  ASSERT_EQ(hello->message.type(), "hello");
  const pid_t idle = pool.pid_of(0);
  ::kill(idle, SIGKILL);
  wait_until_dead(idle);
  try {
    pool.send(0, make_message("job", {{"job_id", 1}}));
    ADD_FAILURE() << "the send to a dead worker succeeded";
  } catch (const WorkerGone& gone) {
    EXPECT_NE(std::string(gone.what()).find("killed by signal 9"), std::string::npos) << gone.what();
  }
  ASSERT_TRUE(pool.restart_worker(0));
  EXPECT_NE(pool.pid_of(0), idle);
  hello = pool.receive(std::chrono::seconds(20));
  ASSERT_TRUE(hello);
  EXPECT_EQ(hello->message.type(), "hello");
  pool.shutdown();
}

// The first worker started writes garbage (a marker directory records that
// it did); its replacement, and every other worker, is a real one.
WorkerCommand garbage_once_command(const std::string& marker) {
  return {"/bin/sh",
          {"-c", "if mkdir '" + marker +
                     "' 2>/dev/null; then printf 'this is not a popsweep frame' >&3; exec sleep 30; "
                     "else exec '" +
                     testing::popsweep_binary() + "' worker --threads 1 \"$0\" \"$1\"; fi"},
          {}};
}

TEST(LocalPoolTransport, AWorkerWritingGarbageIsLostAndReplacedNotTheCoordinator) {
  NoopSweep noop(4, R"({"sleep_ms": 50})");
  LocalPoolTransport pool(2, garbage_once_command(noop.dir.file("garbage.sent")));
  const SchedulerOutcome outcome = noop.run(pool);
  pool.shutdown();
  const std::vector<std::string>& log = noop.log;
  EXPECT_EQ(outcome.done, 4);
  EXPECT_TRUE(outcome.lost_workers.empty());
  for (const std::int64_t id : noop.ids) EXPECT_EQ(storage::find_job(noop.db, id)->attempts, 1);
  EXPECT_EQ(::access(noop.dir.file("garbage.sent").c_str(), F_OK), 0) << "no worker wrote garbage";
  // The garbage arrived while the worker was idle, so it cost no job: the
  // log has no failure, and the sweep never saw an exception.
  EXPECT_TRUE(std::none_of(log.begin(), log.end(),
                           [](const std::string& line) { return line.find("failed") != std::string::npos; }));
}

TEST(LocalPoolTransport, GarbageIsReportedAsALostWorkerWithTheReason) {
  testing::TempDir dir;
  LocalPoolTransport pool(1, garbage_once_command(dir.file("garbage.sent")));
  const std::optional<ReceivedMessage> message = pool.receive(std::chrono::seconds(20));
  ASSERT_TRUE(message);
  EXPECT_EQ(message->message.type(), "worker_lost");
  const std::string reason = message->message.header.value("reason", std::string());
  EXPECT_NE(reason.find("bytes that are not a message (malformed frame length from peer)"), std::string::npos)
      << reason;
  ASSERT_TRUE(pool.restart_worker(0));
  const std::optional<ReceivedMessage> hello = pool.receive(std::chrono::seconds(20));
  ASSERT_TRUE(hello);
  EXPECT_EQ(hello->message.type(), "hello");
  pool.shutdown();
}

}  // namespace
}  // namespace popsweep::orchestrator
