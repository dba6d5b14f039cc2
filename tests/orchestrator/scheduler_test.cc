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
  ScriptedExecutor(std::map<std::int64_t, int>& attempts, std::mutex& mutex, std::atomic<bool>& release)
      : attempts_(attempts), mutex_(mutex), release_(release) {}
  Message execute(const Message& job, const std::function<bool()>& should_stop, const Emitter& emit) override {
    const nlohmann::json params = nlohmann::json::parse(job.header["params"].get<std::string>());
    int attempt = 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      attempt = ++attempts_[job.header["job_id"].get<std::int64_t>()];
    }
    if (params.value("crash", false) && attempt == 1) throw std::logic_error("crash");
    if (attempt <= params.value("fail_times", 0)) throw std::runtime_error("scripted failure " + std::to_string(attempt));
    if (params.value("ignore_stop", false) && attempt == 1) {
      // A long step with no safe point: it ends only when the test says so.
      while (!release_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      return make_message("result", {{"value", -1}});
    }
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
  std::atomic<bool>& release_;
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
  void record_partial(const storage::JobRow& job, const Message&) override {
    if (partial_failures > 0) {
      --partial_failures;
      throw std::runtime_error("CHECK constraint failed: features");
    }
    ++partials[job.id];
  }
  int partial_failures = 0;  // how many batches fail to be saved
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
  std::atomic<bool> release{false};  // ends the jobs that ignore stops

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
  InProcessTransport::WorkerMain worker_main() {
    return [this](WorkerChannel& channel, int) {
      ScriptedExecutor executor(attempts, mutex, release);
      WorkerLoopOptions loop;
      loop.heartbeat_interval = std::chrono::milliseconds(20);
      run_worker_loop(channel, executor, loop);
    };
  }
  SchedulerOutcome run(int workers, SchedulerOptions options, RecordingHandlers& handlers) {
    InProcessTransport transport(workers, worker_main());
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

// The coordinator ended (kill -9, a node lost, an MPI job taken down by one
// of its ranks) with no stop signal before: the attempt counts.
TEST(Scheduler, JobsLeftRunningWithoutAStopAreRunAgainOnTheirAttempt) {
  Fixture f;
  const std::int64_t job = f.add("train", {});
  storage::mark_job_running(f.db, job, "a coordinator that died", 0);
  RecordingHandlers handlers(f.db);
  f.run(1, {}, handlers);
  EXPECT_EQ(f.status(job), JobStatus::Done) << storage::find_job(f.db, job)->error;
  EXPECT_EQ(storage::find_job(f.db, job)->attempts, 2);
  EXPECT_EQ(storage::find_job(f.db, job)->losses, 1);
}

// A job that takes its worker down every time (under MPI, the whole MPI job
// and its coordinator) is failed once its attempts are used, not retried by
// every rerun and Slurm requeue; what does not depend on it still runs.
TEST(Scheduler, AJobLostOnEveryAttemptFailsAndTheRestRuns) {
  Fixture f;
  const std::int64_t killer = f.add("train", {});
  const std::int64_t after_killer = f.add("train", {}, {killer});
  const std::int64_t other = f.add("train", {{"value", 5}});
  for (int attempt = 0; attempt < 2; ++attempt) storage::mark_job_running(f.db, killer, "rank-1", 0);
  RecordingHandlers handlers(f.db);
  SchedulerOptions options;
  options.max_attempts = 2;
  std::vector<std::string> lines;
  options.log = [&](const std::string& line) { lines.push_back(line); };
  const SchedulerOutcome outcome = f.run(1, options, handlers);
  EXPECT_EQ(f.status(killer), JobStatus::Failed);
  EXPECT_EQ(f.attempts[killer], 0);  // not run again
  EXPECT_NE(storage::find_job(f.db, killer)->error.find("lost 1 time(s) while running, last on rank-1"),
            std::string::npos)
      << storage::find_job(f.db, killer)->error;
  EXPECT_EQ(f.status(after_killer), JobStatus::Pending);
  EXPECT_EQ(f.status(other), JobStatus::Done);
  EXPECT_EQ(outcome.failed, 1);
  EXPECT_EQ(std::count_if(lines.begin(), lines.end(),
                          [](const std::string& line) {
                            return line.find("with no attempt left failed") != std::string::npos;
                          }),
            1);
}

// A stop reaches a job that cannot reach its safe point before the end (Slurm
// kills it after KillWait): its worker's confirmation is recorded at once, so
// the next run gives the attempt back and counts a preemption.
TEST(Scheduler, AStopConfirmedByTheWorkerMakesALostJobAPreemption) {
  Fixture f;
  const std::int64_t slow = f.add("train", {{"ignore_stop", true}});
  RecordingHandlers handlers(f.db);
  std::atomic<bool> stop{false};
  SchedulerOptions options;
  options.stop_requested = &stop;
  options.max_attempts = 1;
  // Runs on the scheduler's thread: the signal comes once the job runs, and
  // the coordinator "is killed" (Slurm's KillWait) once the stop is recorded.
  struct Killed {};
  options.on_progress = [&](const SchedulerProgress&) {
    const storage::JobRow row = *storage::find_job(f.db, slow);
    if (row.status == JobStatus::Running) stop = true;
    if (row.stop_reached_at) throw Killed{};
  };
  {
    InProcessTransport transport(1, f.worker_main());
    EXPECT_THROW(run_scheduler(f.db, f.sweep, transport, handlers, options), Killed);
    f.release = true;
  }
  EXPECT_EQ(f.status(slow), JobStatus::Running);  // left out, never reached a safe point
  EXPECT_EQ(storage::find_job(f.db, slow)->attempts, 1);

  stop = false;
  options.on_progress = nullptr;
  const SchedulerOutcome second = f.run(1, options, handlers);
  EXPECT_EQ(second.done, 1);
  const storage::JobRow row = *storage::find_job(f.db, slow);
  EXPECT_EQ(row.status, JobStatus::Done);
  EXPECT_EQ(row.attempts, 1);  // with max_attempts 1: the preempted attempt was given back
  EXPECT_EQ(row.preemptions, 1);
  EXPECT_EQ(row.losses, 0);
  EXPECT_EQ(handlers.values[slow], 0);  // the second attempt's result
}

// A batch of results that cannot be saved (any error, not only a full disk)
// fails the job's attempt: it is retried and never done with a batch missing.
TEST(Scheduler, ABatchThatCannotBeSavedFailsTheJobWhichIsRetried) {
  Fixture f;
  const std::int64_t job = f.add("extract", {{"partials", 3}, {"epochs", 2}});
  RecordingHandlers handlers(f.db);
  handlers.partial_failures = 1;
  std::vector<std::string> lines;
  SchedulerOptions options;
  options.log = [&](const std::string& line) { lines.push_back(line); };
  const SchedulerOutcome outcome = f.run(1, options, handlers);
  EXPECT_EQ(outcome.done, 1);
  EXPECT_EQ(f.status(job), JobStatus::Done);
  EXPECT_EQ(f.attempts[job], 2);
  EXPECT_EQ(storage::find_job(f.db, job)->attempts, 2);
  EXPECT_EQ(handlers.partials[job], 3);  // every batch of the attempt that counted
  const bool explained = std::any_of(lines.begin(), lines.end(), [](const std::string& line) {
    return line.find("could not record a batch of its results: CHECK constraint failed") != std::string::npos;
  });
  EXPECT_TRUE(explained);
}

// A worker that cannot be replaced (an MPI rank) whose job runs past its time
// limit is told to abandon it, the job is retried, the late result is
// discarded, and the worker takes jobs again.
TEST(Scheduler, ATimedOutJobIsAbandonedOnAWorkerThatCannotBeReplaced) {
  Fixture f;
  const std::int64_t slow = f.add("train", {{"ignore_stop", true}, {"value", 1}});
  const std::int64_t next = f.add("train", {{"value", 2}});
  RecordingHandlers handlers(f.db);
  SchedulerOptions options;
  options.job_timeout = std::chrono::milliseconds(1000);
  std::vector<std::string> lines;
  options.log = [&](const std::string& line) {
    lines.push_back(line);
    if (line.find("to abandon") != std::string::npos) f.release = true;  // the slow step ends, late
  };
  InProcessTransport ranks(1, f.worker_main(), /*replaceable=*/false);
  const SchedulerOutcome outcome = run_scheduler(f.db, f.sweep, ranks, handlers, options);
  ranks.shutdown();
  EXPECT_EQ(outcome.done, 2);
  EXPECT_TRUE(outcome.lost_workers.empty());
  EXPECT_EQ(f.attempts[slow], 2);
  EXPECT_EQ(storage::find_job(f.db, slow)->attempts, 2);
  EXPECT_EQ(handlers.values[slow], 1);  // the retry's result; the late one (-1) was discarded
  EXPECT_EQ(std::count(handlers.order.begin(), handlers.order.end(), slow), 1);
  EXPECT_EQ(f.status(next), JobStatus::Done);
  const auto logged = [&](const std::string& text) {
    return std::any_of(lines.begin(), lines.end(),
                       [&](const std::string& line) { return line.find(text) != std::string::npos; });
  };
  EXPECT_TRUE(logged("told thread-0 to abandon job " + std::to_string(slow)));
  EXPECT_TRUE(logged("discarding the late 'result' of abandoned job " + std::to_string(slow)));
}

// A send that finds its worker gone (it died while idle) loses that worker,
// not the sweep, and the job it carried keeps its attempt.
class DeadOnFirstJobSendTransport : public CoordinatorTransport {
 public:
  explicit DeadOnFirstJobSendTransport(CoordinatorTransport& inner) : inner_(inner) {}
  int worker_count() const override { return inner_.worker_count(); }
  std::string worker_name(int worker) const override { return inner_.worker_name(worker); }
  void send(int worker, const Message& message) override {
    if (message.type() == "job" && !failed_) {
      failed_ = true;
      throw WorkerGone("worker " + worker_name(worker) + " is gone (cannot write to peer: Broken pipe)");
    }
    inner_.send(worker, message);
  }
  std::optional<ReceivedMessage> receive(std::chrono::milliseconds timeout) override {
    return inner_.receive(timeout);
  }
  bool restart_worker(int worker) override {
    ++restarts;
    return inner_.restart_worker(worker);
  }
  void shutdown() override { inner_.shutdown(); }
  int restarts = 0;

 private:
  CoordinatorTransport& inner_;
  bool failed_ = false;
};

TEST(Scheduler, ASendToAWorkerThatDiedLosesOnlyThatWorker) {
  Fixture f;
  std::vector<std::int64_t> jobs;
  for (int i = 0; i < 4; ++i) jobs.push_back(f.add("train", {{"value", i}}));
  RecordingHandlers handlers(f.db);
  InProcessTransport threads(2, f.worker_main());
  DeadOnFirstJobSendTransport transport(threads);
  std::vector<std::string> lines;
  SchedulerOptions options;
  options.log = [&](const std::string& line) { lines.push_back(line); };
  const SchedulerOutcome outcome = run_scheduler(f.db, f.sweep, transport, handlers, options);
  threads.shutdown();
  EXPECT_EQ(outcome.done, 4);
  EXPECT_EQ(transport.restarts, 1);
  for (const std::int64_t job : jobs) EXPECT_EQ(storage::find_job(f.db, job)->attempts, 1);
}

}  // namespace
}  // namespace popsweep::orchestrator

namespace popsweep::orchestrator {
namespace {

// A search's rounds share one transport. A worker slow to start may say hello
// only after a short round has ended: the next round must not count it idle,
// or the late hello would wipe the job it was just given and its result be
// discarded as stale (the job left running).
TEST(Scheduler, AWorkerWhoseHelloMissedTheLastRoundWaitsForIt) {
  Fixture f;
  const std::int64_t first = f.add("train", {{"value", 1}});
  std::atomic<bool> slow_worker_may_start{false};
  InProcessTransport transport(2, [&](WorkerChannel& channel, int index) {
    if (index == 1) {
      while (!slow_worker_may_start.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    f.worker_main()(channel, index);
  });
  RecordingHandlers handlers(f.db);
  const SchedulerOutcome round_1 = run_scheduler(f.db, f.sweep, transport, handlers, SchedulerOptions{});
  EXPECT_EQ(round_1.done, 1);
  EXPECT_EQ(round_1.idle_workers, (std::vector<bool>{true, false}));

  std::vector<std::int64_t> later;
  for (int i = 0; i < 4; ++i) later.push_back(f.add("train", {{"value", 10 + i}, {"epochs", 2}}));
  slow_worker_may_start = true;  // its hello reaches round 2
  SchedulerOptions options;
  options.workers_idle_at_start = round_1.idle_workers;
  const SchedulerOutcome round_2 = run_scheduler(f.db, f.sweep, transport, handlers, options);
  EXPECT_EQ(round_2.done, 5);
  EXPECT_EQ(round_2.pending, 0);
  EXPECT_EQ(f.status(first), JobStatus::Done);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(handlers.values[later[static_cast<size_t>(i)]], 10 + i);
  transport.shutdown();
}

}  // namespace
}  // namespace popsweep::orchestrator
