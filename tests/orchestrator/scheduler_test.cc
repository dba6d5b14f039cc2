// The scheduler against fake stages and in-process workers: dependency order,
// dynamic dispatch, retries, lost and hung workers, stop requests, resume.
#include "orchestrator/scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "orchestrator/in_process_transport.h"
#include "orchestrator/worker_loop.h"
#include "storage/database.h"

namespace popsweep::orchestrator {
namespace {

using storage::JobStatus;

// Jobs whose params say how to behave: {"fail_times": n} fails the first n
// attempts, {"crash": true} kills the worker thread, {"hang_ms": t} sleeps,
// {"epochs": e} stops early when asked and reports how far it got.
class ScriptedExecutor : public JobExecutor {
 public:
  explicit ScriptedExecutor(std::map<std::int64_t, int>& attempts, std::mutex& mutex)
      : attempts_(attempts), mutex_(mutex) {}
  Message execute(const Message& job, const std::function<bool()>& should_stop, const Emitter& emit) override {
    const nlohmann::json params = nlohmann::json::parse(job.header["params"].get<std::string>());
    int attempt = 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      attempt = ++attempts_[job.header["job_id"].get<std::int64_t>()];
    }
    if (params.value("crash", false) && attempt == 1) throw std::logic_error("crash");
    if (attempt <= params.value("fail_times", 0)) throw std::runtime_error("scripted failure " + std::to_string(attempt));
    if (params.contains("hang_ms") && attempt == 1) {
      std::this_thread::sleep_for(std::chrono::milliseconds(params["hang_ms"].get<int>()));
    }
    for (int part = 0; part < params.value("partials", 0); ++part) emit(make_message("partial", {{"part", part}}));
    const int epochs = params.value("epochs", 0);
    const int start = job.header.value("resume_epoch", 0);
    for (int epoch = start; epoch < epochs; ++epoch) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      if (should_stop()) return make_message("interrupted", {{"epoch", epoch + 1}});
    }
    return make_message("result", {{"value", params.value("value", 0)}});
  }
  void accept_dataset(const Message&) override {}

 private:
  std::map<std::int64_t, int>& attempts_;
  std::mutex& mutex_;
};

class RecordingHandlers : public StageHandlers {
 public:
  explicit RecordingHandlers(storage::Database& db) : db_(db) {}
  void run_on_coordinator(const storage::JobRow& job) override { order.push_back(job.id); }
  RemoteDispatch prepare_remote(const storage::JobRow& job) override {
    RemoteDispatch dispatch;
    dispatch.job = make_message("job", {{"params", job.params}, {"resume_epoch", resume_epoch[job.id]}});
    return dispatch;
  }
  Message dataset_message(const std::string&) override { return make_message("dataset"); }
  void record_result(const storage::JobRow& job, const Message& result) override {
    order.push_back(job.id);
    values[job.id] = result.header.value("value", -1);
  }
  void record_interruption(const storage::JobRow& job, const Message& message) override {
    resume_epoch[job.id] = message.header.value("epoch", 0);
  }
  void record_partial(const storage::JobRow& job, const Message&) override { ++partials[job.id]; }
  std::map<std::int64_t, int> partials;
  std::vector<std::int64_t> order;
  std::map<std::int64_t, int> values;
  std::map<std::int64_t, int> resume_epoch;

 private:
  storage::Database& db_;
};

struct Fixture {
  storage::Database db = storage::Database::open_in_memory();
  std::int64_t sweep = 0;
  std::vector<std::int64_t> ids;
  std::map<std::int64_t, int> attempts;
  std::mutex mutex;

  Fixture() { sweep = storage::upsert_sweep(db, {0, "test", "", "h", 1, 0, 0, ""}); }
  std::int64_t add(const std::string& stage, const nlohmann::json& params, std::vector<std::int64_t> deps = {}) {
    // `{}` in a call is JSON null; a job's params are always an object.
    const nlohmann::json object = params.is_null() ? nlohmann::json::object() : params;
    const std::int64_t id = storage::ensure_job(db, stage + std::to_string(ids.size()), stage, object.dump(), 0);
    for (const std::int64_t d : deps) storage::add_dependency(db, id, d);
    ids.push_back(id);
    storage::set_sweep_jobs(db, sweep, ids);
    return id;
  }
  SchedulerOutcome run(int workers, SchedulerOptions options, RecordingHandlers& handlers) {
    InProcessTransport transport(workers, [this](WorkerChannel& channel, int) {
      ScriptedExecutor executor(attempts, mutex);
      WorkerLoopOptions loop;
      loop.heartbeat_interval = std::chrono::milliseconds(20);
      run_worker_loop(channel, executor, loop);
    });
    return run_scheduler(db, sweep, transport, handlers, options);
  }
  JobStatus status(std::int64_t id) { return storage::find_job(db, id)->status; }
};

TEST(Scheduler, RunsEveryJobOnceInDependencyOrder) {
  Fixture f;
  const std::int64_t label = f.add("label", {});
  std::vector<std::int64_t> extracts;
  for (int i = 0; i < 4; ++i) extracts.push_back(f.add("extract", {{"value", i}}, {label}));
  const std::int64_t dedup = f.add("dedup", {}, extracts);
  std::vector<std::int64_t> trains;
  for (int i = 0; i < 20; ++i) trains.push_back(f.add("train", {{"value", 100 + i}}, {dedup}));
  RecordingHandlers handlers(f.db);
  const SchedulerOutcome outcome = f.run(3, {}, handlers);
  EXPECT_EQ(outcome.done, 26);
  EXPECT_EQ(outcome.failed, 0);
  ASSERT_EQ(handlers.order.size(), 26u);
  EXPECT_EQ(handlers.order.front(), label);
  const auto position = [&](std::int64_t id) {
    return std::find(handlers.order.begin(), handlers.order.end(), id) - handlers.order.begin();
  };
  for (const std::int64_t e : extracts) EXPECT_LT(position(e), position(dedup));
  for (const std::int64_t t : trains) {
    EXPECT_GT(position(t), position(dedup));
    EXPECT_EQ(f.status(t), JobStatus::Done);
    EXPECT_EQ(f.attempts[t], 1);  // never run twice
  }
  EXPECT_EQ(handlers.values[trains[7]], 107);
}

TEST(Scheduler, RetriesFailuresUpToMaxAttempts) {
  Fixture f;
  const std::int64_t flaky = f.add("train", {{"fail_times", 2}});
  const std::int64_t broken = f.add("train", {{"fail_times", 99}});
  const std::int64_t after_broken = f.add("train", {}, {broken});
  RecordingHandlers handlers(f.db);
  SchedulerOptions options;
  options.max_attempts = 3;
  const SchedulerOutcome outcome = f.run(2, options, handlers);
  EXPECT_EQ(f.status(flaky), JobStatus::Done);
  EXPECT_EQ(f.attempts[flaky], 3);
  EXPECT_EQ(f.status(broken), JobStatus::Failed);
  EXPECT_EQ(storage::find_job(f.db, broken)->error, "scripted failure 3");
  EXPECT_EQ(f.status(after_broken), JobStatus::Pending);  // blocked, never started
  EXPECT_EQ(outcome.failed, 1);
  EXPECT_EQ(outcome.pending, 1);
}

TEST(Scheduler, LostWorkerFailsOnlyItsJobAndIsReplaced) {
  Fixture f;
  const std::int64_t crashing = f.add("train", {{"crash", true}});
  for (int i = 0; i < 5; ++i) f.add("train", {{"value", i}});
  RecordingHandlers handlers(f.db);
  const SchedulerOutcome outcome = f.run(2, {}, handlers);
  EXPECT_EQ(outcome.done, 6);
  EXPECT_EQ(f.attempts[crashing], 2);
  EXPECT_EQ(storage::find_job(f.db, crashing)->attempts, 2);
}

TEST(Scheduler, HungWorkerIsTimedOutAndTheSweepCarriesOn) {
  Fixture f;
  const std::int64_t hanging = f.add("train", {{"hang_ms", 1500}});
  f.add("train", {});
  RecordingHandlers handlers(f.db);
  SchedulerOptions options;
  options.job_timeout = std::chrono::milliseconds(300);
  std::vector<std::string> lines;
  options.log = [&](const std::string& line) { lines.push_back(line); };
  const SchedulerOutcome outcome = f.run(2, options, handlers);
  EXPECT_EQ(outcome.done, 2);
  EXPECT_EQ(f.attempts[hanging], 2);
  bool mentioned = false;
  for (const std::string& line : lines) mentioned |= line.find("exceeded its time limit") != std::string::npos;
  EXPECT_TRUE(mentioned);
}

TEST(Scheduler, StopInterruptsAtASafePointAndResumeContinues) {
  Fixture f;
  const std::int64_t long_job = f.add("train", {{"epochs", 50}});
  RecordingHandlers handlers(f.db);
  std::atomic<bool> stop{false};
  SchedulerOptions options;
  options.stop_requested = &stop;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    stop = true;
  });
  const SchedulerOutcome first = f.run(1, options, handlers);
  stopper.join();
  EXPECT_TRUE(first.stopped);
  EXPECT_EQ(f.status(long_job), JobStatus::Interrupted);
  EXPECT_EQ(storage::find_job(f.db, long_job)->attempts, 0);  // an interruption uses no attempt
  const int reached = handlers.resume_epoch[long_job];
  EXPECT_GT(reached, 0);
  EXPECT_LT(reached, 50);
  stop = false;
  const SchedulerOutcome second = f.run(1, options, handlers);
  EXPECT_EQ(second.done, 1);
  EXPECT_EQ(f.status(long_job), JobStatus::Done);
}

TEST(Scheduler, PartialResultsArriveWhileTheJobRuns) {
  Fixture f;
  const std::int64_t job = f.add("extract", {{"partials", 3}, {"epochs", 2}});
  RecordingHandlers handlers(f.db);
  f.run(1, {}, handlers);
  EXPECT_EQ(handlers.partials[job], 3);
  EXPECT_EQ(f.status(job), JobStatus::Done);
}

TEST(Scheduler, JobsLeftRunningByACrashAreRequeued) {
  Fixture f;
  const std::int64_t job = f.add("train", {});
  storage::mark_job_running(f.db, job, "a coordinator that died", 0);
  RecordingHandlers handlers(f.db);
  f.run(1, {}, handlers);
  EXPECT_EQ(f.status(job), JobStatus::Done) << storage::find_job(f.db, job)->error;
  EXPECT_EQ(storage::find_job(f.db, job)->attempts, 1);
}

}  // namespace
}  // namespace popsweep::orchestrator
