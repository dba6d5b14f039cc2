// The scheduler's gangs (issue 20): a job that runs on several workers at
// once gets that many distinct workers with ranks 0..N-1, the followers get
// rank 0's rendezvous port, only rank 0's answer is recorded, small jobs and
// gangs share the pool without deadlock, and a failing member fails the
// gang's attempt, which is retried.
#include <gtest/gtest.h>

#include <algorithm>
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
};

struct Shared {
  std::mutex mutex;
  std::vector<Seen> seen;
  std::map<std::int64_t, int> attempts;  // counted on rank 0
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
      shared_.seen.push_back({id, attempt, rank, worker_, gang.value("port", -1)});
    }
    if (rank == 0 && gang.contains("size")) emit(make_message("rendezvous", {{"port", 1000 + id}}));
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
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
  SchedulerOutcome run(int workers, GangHandlers& handlers) {
    InProcessTransport transport(workers, [this](WorkerChannel& channel, int worker) {
      GangExecutor executor(shared, worker);
      WorkerLoopOptions loop;
      loop.heartbeat_interval = std::chrono::milliseconds(20);
      run_worker_loop(channel, executor, loop);
    });
    SchedulerOptions options;
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

}  // namespace
}  // namespace popsweep::orchestrator
