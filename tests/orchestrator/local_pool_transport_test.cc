// The local pool with real `popsweep worker` processes: a worker killed with
// SIGKILL mid-job only costs that job an attempt; the sweep completes.
#include "orchestrator/local_pool_transport.h"

#include <gtest/gtest.h>
#include <signal.h>

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

TEST(LocalPoolTransport, KilledWorkerLosesOnlyItsJob) {
  testing::TempDir dir;
  storage::Database db = storage::Database::open(dir.file("k.db"));
  const std::int64_t sweep = storage::upsert_sweep(db, {0, "kill", "", "", 0, 0, 0, ""});
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 6; ++i) {
    ids.push_back(storage::ensure_job(db, "noop-" + std::to_string(i), "noop", R"({"sleep_ms": 400})", 0));
  }
  storage::set_sweep_jobs(db, sweep, ids);
  PipelineHandlers handlers;
  handlers.add_stage("noop", std::make_unique<NoopStage>());
  LocalPoolTransport pool(2, worker_command());
  std::vector<std::string> log;
  SchedulerOptions options;
  options.log = [&](const std::string& line) { log.push_back(line); };
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
  const SchedulerOutcome outcome = run_scheduler(db, sweep, pool, handlers, options);
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

}  // namespace
}  // namespace popsweep::orchestrator
