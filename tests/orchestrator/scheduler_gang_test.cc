// The scheduler's gangs (issue 20): a job that runs on several workers at
// once gets that many distinct workers with ranks 0..N-1, the followers get
// rank 0's rendezvous port, only rank 0's answer is recorded, small jobs and
// gangs share the pool without deadlock, and a failing member fails the
// gang's attempt, which is retried.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "orchestrator/in_process_transport.h"
#include "orchestrator/scheduler.h"
#include "orchestrator/worker_loop.h"
#include "storage/database.h"

namespace popsweep::orchestrator {
namespace {

using storage::JobStatus;

struct Seen {
  std::int64_t job_id;
  int attempt;
  int rank;
  int worker;
  int port;  // -1 on rank 0
  // What the gang header and the job said: rank 0's address, this member's
  // own, and the device the job moved this member to ("" when none).
  std::string host;
  std::string bind;
  std::string device;
};

struct Shared {
  std::mutex mutex;
  std::vector<Seen> seen;
  std::map<std::int64_t, int> attempts;  // counted on rank 0
  // Raised by rank 1 of a job with {"raise_signal": true} when it starts
  // (every member running), for the workers given it as their stop signal.
  std::atomic<bool> signal{false};
};

// A gang job: rank 0 announces port 1000 + job id, every rank works a moment
// (so gangs overlap), {"fail_rank": r} makes rank r fail the first attempt
// (and the other ranks a moment later, as their collective would).
class GangExecutor : public JobExecutor {
 public:
  GangExecutor(Shared& shared, int worker) : shared_(shared), worker_(worker) {}
  Message execute(const Message& job, const std::function<bool()>&, const Emitter& emit) override {
    const nlohmann::json params = nlohmann::json::parse(job.header["params"].get<std::string>());
    const std::int64_t id = job.header["job_id"].get<std::int64_t>();
    const nlohmann::json gang = job.header.value("gang", nlohmann::json::object());
    const int rank = gang.value("rank", 0);
    int attempt = 0;
    {
      std::lock_guard<std::mutex> lock(shared_.mutex);
      if (rank == 0) ++shared_.attempts[id];
      attempt = shared_.attempts[id];
      shared_.seen.push_back({id, attempt, rank, worker_, gang.value("port", -1), gang.value("host", ""),
                              gang.value("bind", ""), job.header.value("device", "")});
    }
    if (rank == 0 && gang.contains("size")) emit(make_message("rendezvous", {{"port", 1000 + id}}));
    if (rank == 1 && params.value("raise_signal", false)) shared_.signal = true;
    if (rank > 0) std::this_thread::sleep_for(std::chrono::milliseconds(params.value("follower_lag_ms", 0)));
    std::this_thread::sleep_for(std::chrono::milliseconds(params.value("sleep_ms", 30)));
    if (attempt == 1 && params.value("fail_rank", -1) == rank) throw std::runtime_error("rank failed");
    if (attempt == 1 && params.contains("fail_rank")) {
      // As a real gang's other ranks: their next all-reduce fails a little later.
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      throw std::runtime_error("all-reduce failed: a peer left");
    }
    return make_message("result", {{"rank", rank}});
  }
  void accept_dataset(const Message&) override {}

 private:
  Shared& shared_;
  int worker_;
};

class GangHandlers : public StageHandlers {
 public:
  void run_on_coordinator(const storage::JobRow&) override {}
  RemoteDispatch prepare_remote(const storage::JobRow& job) override {
    RemoteDispatch dispatch;
    dispatch.job = make_message("job", {{"params", job.params}});
    return dispatch;
  }
  int ranks_of(const storage::JobRow& job) override {
    return nlohmann::json::parse(job.params).value("ranks", 1);
  }
  Message dataset_message(const std::string&) override { return make_message("dataset"); }
  void record_result(const storage::JobRow& job, const Message& result) override {
    recorded.push_back({job.id, result.header.value("rank", -1)});
  }
  void record_interruption(const storage::JobRow&, const Message&) override {}
  std::vector<std::pair<std::int64_t, int>> recorded;  // (job, rank that answered)
};

struct GangFixture {
  storage::Database db = storage::Database::open_in_memory();
  std::int64_t sweep = storage::upsert_sweep(db, {0, "gangs", "", "h", 1, 0, 0, ""});
  std::vector<std::int64_t> ids;
  Shared shared;

  std::int64_t add(const nlohmann::json& params) {
    const std::int64_t id =
        storage::ensure_job(db, "train" + std::to_string(ids.size()), "train", params.dump(), 0);
    ids.push_back(id);
    storage::set_sweep_jobs(db, sweep, ids);
    return id;
  }
  // What worker w says in its hello beyond its description (none by default).
  std::function<nlohmann::json(int)> hello = [](int) { return nlohmann::json::object(); };
  // A signal of worker w's own (as SIGTERM reaching its process), or none.
  std::function<const std::atomic<bool>*(int)> stop_signal = [](int) { return nullptr; };
  SchedulerOptions options;

  SchedulerOutcome run(int workers, GangHandlers& handlers) {
    InProcessTransport transport(workers, [this](WorkerChannel& channel, int worker) {
      GangExecutor executor(shared, worker);
      WorkerLoopOptions loop;
      loop.heartbeat_interval = std::chrono::milliseconds(20);
      loop.hello = hello(worker);
      loop.stop_signal = stop_signal(worker);
      run_worker_loop(channel, executor, loop);
    });
    options.gang_patience = std::chrono::milliseconds(50);
    const SchedulerOutcome outcome = run_scheduler(db, sweep, transport, handlers, options);
    transport.shutdown();
    return outcome;
  }
};

TEST(SchedulerGangs, GangsAndSmallJobsShareThePoolAndOnlyRankZeroAnswers) {
  GangFixture f;
  std::set<std::int64_t> gangs;
  for (int i = 0; i < 12; ++i) {
    const int ranks = i % 3 == 0 ? 1 : (i % 3 == 1 ? 2 : 3);
    const std::int64_t id = f.add({{"ranks", ranks}});
    if (ranks > 1) gangs.insert(id);
  }
  GangHandlers handlers;
  const SchedulerOutcome outcome = f.run(3, handlers);
  EXPECT_EQ(outcome.done, 12);
  EXPECT_EQ(outcome.failed, 0);
  // One answer recorded per job, always rank 0's.
  ASSERT_EQ(handlers.recorded.size(), 12u);
  std::set<std::int64_t> answered;
  for (const auto& [job, rank] : handlers.recorded) {
    EXPECT_EQ(rank, 0) << "job " << job;
    answered.insert(job);
  }
  EXPECT_EQ(answered.size(), 12u);
  // Each gang ran once on as many distinct workers as it has ranks; the
  // followers got rank 0's port.
  for (const std::int64_t job : gangs) {
    const int ranks = nlohmann::json::parse(storage::find_job(f.db, job)->params).at("ranks").get<int>();
    std::set<int> workers, rank_set;
    for (const Seen& s : f.shared.seen) {
      if (s.job_id != job) continue;
      workers.insert(s.worker);
      rank_set.insert(s.rank);
      if (s.rank > 0) {
        EXPECT_EQ(s.port, 1000 + job);
      }
    }
    EXPECT_EQ(static_cast<int>(workers.size()), ranks) << "job " << job;
    EXPECT_EQ(static_cast<int>(rank_set.size()), ranks) << "job " << job;
  }
}

TEST(SchedulerGangs, AFailingFollowerFailsTheAttemptAndTheGangRetries) {
  GangFixture f;
  const std::int64_t job = f.add({{"ranks", 2}, {"fail_rank", 1}});
  const std::int64_t other = f.add({{"ranks", 2}});
  GangHandlers handlers;
  const SchedulerOutcome outcome = f.run(2, handlers);
  EXPECT_EQ(outcome.done, 2);
  const storage::JobRow row = *storage::find_job(f.db, job);
  EXPECT_EQ(row.status, JobStatus::Done);
  EXPECT_EQ(row.attempts, 2);
  EXPECT_EQ(storage::find_job(f.db, other)->attempts, 1);
  // Rank 0's answer of the failed attempt was not recorded.
  EXPECT_EQ(std::count_if(handlers.recorded.begin(), handlers.recorded.end(),
                          [&](const auto& r) { return r.first == job; }),
            1);
}

TEST(SchedulerGangs, AGangLargerThanThePoolFailsWithTheReason) {
  GangFixture f;
  const std::int64_t big = f.add({{"ranks", 3}});
  const std::int64_t small = f.add({{"ranks", 1}});
  GangHandlers handlers;
  const SchedulerOutcome outcome = f.run(2, handlers);
  EXPECT_EQ(outcome.done, 1);
  EXPECT_EQ(storage::find_job(f.db, small)->status, JobStatus::Done);
  const storage::JobRow row = *storage::find_job(f.db, big);
  EXPECT_EQ(row.status, JobStatus::Failed);
  EXPECT_NE(row.error.find("runs on 3 workers at once"), std::string::npos) << row.error;
}

// Under MPI (gang_host empty) a gang meets at the address its rank 0 said in
// its hello, and each member binds to its own; members that would share a
// GPU (four workers on two GPUs, worker i on cuda:i mod 2) get distinct ones.
TEST(SchedulerGangs, AGangMeetsAtItsRankZerosAddressAndNeverSharesAGpu) {
  GangFixture f;
  f.hello = [](int w) {
    return nlohmann::json{{"node", "node-a"},
                          {"address", "host-" + std::to_string(w)},
                          {"device", "cuda:" + std::to_string(w % 2)},
                          {"gpus", 2}};
  };
  f.options.gang_host = "";
  f.options.device_request = "auto";
  std::vector<std::int64_t> gangs;
  for (int i = 0; i < 6; ++i) gangs.push_back(f.add({{"ranks", i % 2 ? 2 : 3}}));
  GangHandlers handlers;
  // 3-rank gangs on 2 GPUs cannot run: they fail saying so, the others run.
  f.options.max_attempts = 1;
  const SchedulerOutcome outcome = f.run(4, handlers);
  EXPECT_EQ(outcome.done, 3);
  EXPECT_EQ(outcome.failed, 3);
  for (const std::int64_t job : gangs) {
    const storage::JobRow row = *storage::find_job(f.db, job);
    if (nlohmann::json::parse(row.params).at("ranks").get<int>() == 3) {
      EXPECT_EQ(row.status, JobStatus::Failed);
      EXPECT_NE(row.error.find(
                    "a gang of 3 ranks (run.ranks_per_job) has 3 members on node-a, which shows 2 GPU(s)"),
                std::string::npos)
          << row.error;
      continue;
    }
    EXPECT_EQ(row.status, JobStatus::Done);
    std::map<int, Seen> by_rank;
    for (const Seen& s : f.shared.seen) {
      if (s.job_id == job) by_rank.emplace(s.rank, s);
    }
    ASSERT_EQ(by_rank.size(), 2u) << "job " << job;
    const Seen& zero = by_rank.at(0);
    const Seen& one = by_rank.at(1);
    EXPECT_EQ(zero.host, "host-" + std::to_string(zero.worker));
    EXPECT_EQ(one.host, zero.host);
    EXPECT_EQ(zero.bind, zero.host);
    EXPECT_EQ(one.bind, "host-" + std::to_string(one.worker));
    EXPECT_NE(zero.device, one.device) << "job " << job;
    EXPECT_TRUE(zero.device == "cuda:0" || zero.device == "cuda:1") << zero.device;
    EXPECT_TRUE(one.device == "cuda:0" || one.device == "cuda:1") << one.device;
    // A member keeps its own GPU unless an earlier one holds it.
    EXPECT_EQ(zero.device, "cuda:" + std::to_string(zero.worker % 2));
  }
}

// In the local pool (gang_host set) every member meets on this machine; workers
// on the CPU stay there.
TEST(SchedulerGangs, InTheLocalPoolAGangMeetsOnTheGivenHost) {
  GangFixture f;
  f.hello = [](int w) {
    return nlohmann::json{{"node", "vm"}, {"address", "vm"}, {"device", "cpu"}, {"gpus", 0}};
  };
  const std::int64_t job = f.add({{"ranks", 2}});
  GangHandlers handlers;
  EXPECT_EQ(f.run(2, handlers).done, 1);
  int seen = 0;
  for (const Seen& s : f.shared.seen) {
    if (s.job_id != job) continue;
    ++seen;
    EXPECT_EQ(s.host, "127.0.0.1");
    EXPECT_EQ(s.bind, "127.0.0.1");
    EXPECT_EQ(s.device, "cpu");
  }
  EXPECT_EQ(seen, 2);
}

// A gang's job counts as reached by a stop (its attempt given back if it is
// then lost) only when every member confirmed the stop. Under MPI a member
// that dies takes the MPI job down and mpirun's SIGTERM reaches the others,
// which confirm: the job was lost, not preempted, and must use its attempt.
TEST(SchedulerGangs, AStopReachesAGangJobOnlyWhenEveryMemberConfirmsIt) {
  for (const int signalled : {1, 2}) {
    GangFixture f;
    f.stop_signal = [&](int w) { return w < signalled ? &f.shared.signal : nullptr; };
    const std::int64_t job = f.add({{"ranks", 2}, {"sleep_ms", 600}, {"raise_signal", true}});
    GangHandlers handlers;
    EXPECT_EQ(f.run(2, handlers).done, 1);
    const storage::JobRow row = *storage::find_job(f.db, job);
    EXPECT_EQ(row.stop_reached_at.has_value(), signalled == 2) << signalled << " member(s) confirmed";
  }
}

// Rank 0 answers for the gang; a follower that finishes a moment later is
// waited for, not counted lost when the sweep ends first (under MPI a lost
// rank makes the coordinator abort the MPI job, even with every job done).
TEST(SchedulerGangs, TheSweepWaitsForFollowersThatFinishAfterRankZero) {
  GangFixture f;
  f.add({{"ranks", 2}, {"follower_lag_ms", 400}});
  GangHandlers handlers;
  const SchedulerOutcome outcome = f.run(2, handlers);
  EXPECT_EQ(outcome.done, 1);
  EXPECT_TRUE(outcome.lost_workers.empty()) << outcome.lost_workers.front();
  EXPECT_EQ(outcome.idle_workers, (std::vector<bool>{true, true}));
}

}  // namespace
}  // namespace popsweep::orchestrator
