#include "orchestrator/scheduler.h"

#include <algorithm>
#include <ctime>
#include <map>
#include <optional>
#include <set>

#include "common/error.h"
#include "common/fault_points.h"
#include "orchestrator/gang_devices.h"
#include "orchestrator/gang_placement.h"
#include "orchestrator/job_counts.h"
#include "orchestrator/job_graph.h"
#include "orchestrator/work_estimate.h"
#include "storage/database.h"

namespace popsweep::orchestrator {
namespace {

using Clock = std::chrono::steady_clock;
using storage::JobRow;
using storage::JobStatus;

std::int64_t now_seconds() { return static_cast<std::int64_t>(std::time(nullptr)); }

struct WorkerState {
  bool ready = false;  // said hello and is not running anything
  bool lost = false;   // gone for good (a transport that cannot restart it)
  std::int64_t job_id = 0;
  // A job past its time limit that the worker was told to abandon (it cannot
  // be replaced): the worker is busy until its late answer comes, which is
  // discarded.
  std::int64_t abandoned_job = 0;
  std::string abandon_reason;
  bool quiet_abandon = false;  // a gang member whose job ended well: its answer is dropped without a word
  // A gang member whose gang's attempt ended (well or not): it answers soon
  // (the same steps as rank 0, or its collective fails), so the sweep waits
  // for it instead of ending with it counted lost (under MPI, an abort).
  bool leaving_gang = false;
  // A member of a gang: its rank (0 answers for the gang), and whether it
  // still waits for rank 0's rendezvous address (reserved, idle, silent).
  int gang_rank = 0;
  bool awaiting_gang = false;
  // From its hello: where its gang's collectives can reach it, and its
  // device (gang_devices.h); empty from workers that did not say.
  std::string address;
  GangSeat seat;
  Clock::time_point started;
  Clock::time_point last_heard;
  std::set<std::string> datasets;
};

class Scheduler {
 public:
  Scheduler(storage::Database& db, std::int64_t sweep_id, CoordinatorTransport& transport, StageHandlers& handlers,
            const SchedulerOptions& options)
      : db_(db), sweep_id_(sweep_id), transport_(transport), handlers_(handlers), options_(options) {}

  SchedulerOutcome run();

 private:
  void load();
  bool runnable(const JobRow& job) const;
  void refresh(std::int64_t job_id);
  void set_status(std::int64_t job_id, JobStatus status);
  void update_readiness(std::int64_t job_id);
  void run_coordinator_jobs();
  void dispatch();
  void start_job(const Placement& placement);
  void start_gang_followers(std::int64_t job_id, const Message& rendezvous);
  void end_gang(std::int64_t job_id, int except_worker, bool tell_to_stop);
  struct Gang;
  nlohmann::json gang_header(const Gang& gang, int rank) const;
  bool place_gang(std::int64_t job_id, const std::vector<int>& members, Gang& gang);
  void handle(const ReceivedMessage& received);
  void check_liveness();
  void fail_job(std::int64_t job_id, const std::string& error);
  void lose_worker(int worker, const std::string& reason);
  bool send_or_lose(int worker, const Message& message);
  void abandon_job(int worker, const std::string& reason);
  bool discard_late_answer(int worker, const std::string& type, std::int64_t job_id);
  void begin_stop();
  bool finished() const;
  void report_progress();
  void log(const std::string& line) const {
    if (options_.log) options_.log(line);
  }
  std::string job_label(std::int64_t job_id) const;
  void predict_work();
  ProfileSize profile_size();
  double seconds_since_start() const { return std::chrono::duration<double>(Clock::now() - started_).count(); }

  storage::Database& db_;
  std::int64_t sweep_id_;
  CoordinatorTransport& transport_;
  StageHandlers& handlers_;
  const SchedulerOptions& options_;
  std::map<std::int64_t, JobRow> jobs_;
  std::map<std::int64_t, std::vector<std::int64_t>> dependencies_;
  std::map<std::int64_t, std::vector<std::int64_t>> dependents_;
  // Jobs whose dependencies are done and that wait for a turn, kept up to
  // date on every status change so dispatch never scans the whole table.
  std::set<std::int64_t> ready_on_coordinator_;
  std::set<std::int64_t> ready_for_workers_;
  std::map<std::int64_t, int> ranks_;  // workers each job runs on at once
  // Running gangs: members[r] is rank r's worker; the job message the
  // followers get once rank 0 has announced its port.
  struct Gang {
    std::vector<int> members;
    Message job;
    std::string host;                  // rank 0's address: its rendezvous store
    std::vector<std::string> binds;    // each member's own address
    std::vector<std::string> devices;  // each member's device; empty: its own
    std::set<int> stopping;            // members that confirmed a stop
  };
  std::map<std::int64_t, Gang> gangs_;
  std::optional<std::int64_t> waiting_gang_;  // the first gang that did not fit, and since when
  Clock::time_point waiting_since_;
  // Progress figures kept up to date the same way (see job_counts.h).
  JobCounts counts_;
  WorkEstimate work_;
  std::vector<WorkerState> workers_;
  std::vector<std::string> lost_workers_;
  bool stopping_ = false;
  Clock::time_point stop_deadline_;
  Clock::time_point started_ = Clock::now();
  Clock::time_point last_progress_;
};

void Scheduler::load() {
  for (JobRow& job : storage::load_sweep_jobs(db_, sweep_id_)) jobs_[job.id] = std::move(job);
  dependencies_ = storage::load_dependencies(db_, sweep_id_);
  for (const auto& [job, needs] : dependencies_) {
    for (const std::int64_t need : needs) dependents_[need].push_back(job);
  }
  std::map<std::int64_t, JobStatus> statuses;
  for (const auto& [id, job] : jobs_) {
    update_readiness(id);
    statuses.emplace_hint(statuses.end(), id, job.status);
  }
  counts_ = JobCounts(statuses, dependencies_);
  work_ = WorkEstimate(transport_.worker_count());
  const ProfileSize size = profile_size();
  for (const auto& [id, job] : jobs_) {
    const nlohmann::json params = nlohmann::json::parse(job.params);
    work_.add_job(id, work_group(job.stage, params), predicted_job_seconds(job.stage, params, size),
                  job.status == JobStatus::Done || job.status == JobStatus::Pruned, job.seconds.value_or(0));
    if (!stage_runs_on_coordinator(job.stage)) ranks_[id] = std::max(1, handlers_.ranks_of(job));
  }
}

// The cost model needs the profile's size, known once it is ingested.
ProfileSize Scheduler::profile_size() {
  ProfileSize size;
  size.images = db_.query_int("SELECT COUNT(*) FROM media WHERE media_type = 'image' AND excluded_reason IS NULL");
  size.videos = db_.query_int("SELECT COUNT(*) FROM media WHERE media_type = 'video' AND excluded_reason IS NULL");
  return size;
}

// An ingest job of this sweep has just filled the profile in.
void Scheduler::predict_work() {
  const ProfileSize size = profile_size();
  for (const auto& [id, job] : jobs_) {
    work_.set_predicted(id, predicted_job_seconds(job.stage, nlohmann::json::parse(job.params), size));
  }
}

void Scheduler::update_readiness(std::int64_t job_id) {
  const JobRow& job = jobs_.at(job_id);
  std::set<std::int64_t>& queue = stage_runs_on_coordinator(job.stage) ? ready_on_coordinator_ : ready_for_workers_;
  if (runnable(job)) {
    queue.insert(job_id);
  } else {
    queue.erase(job_id);
  }
}

// Keeps the in-memory copy and the ready queues in step with the table.
void Scheduler::set_status(std::int64_t job_id, JobStatus status) {
  const JobRow& job = jobs_.at(job_id);
  jobs_.at(job_id).status = status;
  counts_.set_status(job_id, status);
  if (status == JobStatus::Running) {
    work_.started(job_id, seconds_since_start());
  } else if (status == JobStatus::Done) {
    work_.finished(job_id, seconds_since_start(), job.seconds.value_or(0));
    if (job.stage == "ingest") predict_work();
  } else if (status == JobStatus::Failed) {
    work_.abandoned(job_id);
  } else {
    work_.requeued(job_id);
  }
  update_readiness(job_id);
  if (status == JobStatus::Done) {
    const auto found = dependents_.find(job_id);
    if (found != dependents_.end()) {
      for (const std::int64_t dependent : found->second) {
        if (jobs_.count(dependent)) update_readiness(dependent);
      }
    }
  }
}

void Scheduler::refresh(std::int64_t job_id) {
  jobs_[job_id] = *storage::find_job(db_, job_id);
  set_status(job_id, jobs_[job_id].status);
}

std::string Scheduler::job_label(std::int64_t job_id) const {
  const JobRow& job = jobs_.at(job_id);
  return "job " + std::to_string(job.id) + " (" + job.stage + ")";
}

bool Scheduler::runnable(const JobRow& job) const {
  if (job.status != JobStatus::Pending && job.status != JobStatus::Interrupted) return false;
  const auto deps = dependencies_.find(job.id);
  if (deps == dependencies_.end()) return true;
  return std::all_of(deps->second.begin(), deps->second.end(),
                     [&](std::int64_t d) { return jobs_.count(d) && jobs_.at(d).status == JobStatus::Done; });
}

void Scheduler::fail_job(std::int64_t job_id, const std::string& error) {
  const JobStatus status = storage::record_job_failure(db_, job_id, error, options_.max_attempts, now_seconds());
  refresh(job_id);
  log(job_label(job_id) + (status == JobStatus::Failed ? " failed for good: " : " failed, will retry: ") + error);
}

void Scheduler::run_coordinator_jobs() {
  while (!stopping_ && !ready_on_coordinator_.empty()) {
    const std::int64_t id = *ready_on_coordinator_.begin();
    const auto began = Clock::now();
    storage::mark_job_running(db_, id, "coordinator", now_seconds());
    set_status(id, JobStatus::Running);
    try {
      handlers_.run_on_coordinator(jobs_.at(id));
      storage::mark_job_done(db_, id, std::chrono::duration<double>(Clock::now() - began).count(), now_seconds());
      set_status(id, JobStatus::Done);
    } catch (const std::exception& error) {
      if (storage::is_disk_full(error)) throw;  // not the job's fault: stop, the rerun resumes
      fail_job(id, error.what());
    }
  }
}

void Scheduler::dispatch() {
  if (stopping_) return;
  std::vector<int> idle;
  int usable = 0;
  for (size_t w = 0; w < workers_.size(); ++w) {
    if (workers_[w].lost) continue;
    ++usable;
    if (workers_[w].ready) idle.push_back(static_cast<int>(w));
  }
  if (idle.empty() || ready_for_workers_.empty()) return;
  // The lowest id first: jobs were created in dependency order. The scan is
  // bounded: no more jobs than idle workers can start, and a long queue of
  // gangs that do not fit is not walked to its end on every pass.
  std::vector<JobDemand> ready;
  std::vector<std::int64_t> too_big;
  size_t fitting = 0;
  for (const std::int64_t id : ready_for_workers_) {
    const auto found = ranks_.find(id);
    const int ranks = found == ranks_.end() ? 1 : found->second;
    if (ranks > usable) {
      too_big.push_back(id);
      continue;
    }
    ready.push_back({id, ranks});
    if (static_cast<size_t>(ranks) <= idle.size() && ++fitting >= idle.size()) break;
    if (ready.size() >= 4096) break;
  }
  for (const std::int64_t id : too_big) {
    storage::mark_job_running(db_, id, "coordinator", now_seconds());
    fail_job(id, "the job runs on " + std::to_string(ranks_.at(id)) +
                     " workers at once (run.ranks_per_job), but only " + std::to_string(usable) +
                     " can take jobs");
  }
  const bool hold = waiting_gang_ && Clock::now() - waiting_since_ > options_.gang_patience;
  const PlacementPlan plan = place_jobs(ready, idle, hold);
  if (plan.waiting_gang != waiting_gang_) {
    waiting_gang_ = plan.waiting_gang;
    waiting_since_ = Clock::now();
  }
  for (const Placement& placement : plan.placed) start_job(placement);
}

nlohmann::json Scheduler::gang_header(const Gang& gang, int rank) const {
  return {{"rank", rank},
          {"size", gang.members.size()},
          {"host", gang.host},
          {"bind", gang.binds[static_cast<size_t>(rank)]},
          {"timeout_ms",
           std::chrono::duration_cast<std::chrono::milliseconds>(options_.heartbeat_timeout).count()}};
}

// Where the gang meets and which device each member takes; false (the job's
// attempt failed with the reason) when its members cannot each have a GPU.
bool Scheduler::place_gang(std::int64_t job_id, const std::vector<int>& members, Gang& gang) {
  gang.members = members;
  std::vector<GangSeat> seats;
  for (const int w : members) {
    const WorkerState& worker = workers_[static_cast<size_t>(w)];
    const std::string& address = options_.gang_host.empty() ? worker.address : options_.gang_host;
    gang.binds.push_back(address.empty() ? std::string("127.0.0.1") : address);
    seats.push_back(worker.seat);
  }
  gang.host = gang.binds.front();
  const bool every_device_known =
      std::all_of(seats.begin(), seats.end(), [](const GangSeat& seat) { return !seat.device.empty(); });
  if (!every_device_known) return true;
  try {
    gang.devices = assign_gang_devices(options_.device_request, seats);
    return true;
  } catch (const ConfigError& error) {
    storage::mark_job_running(db_, job_id, "coordinator", now_seconds());
    fail_job(job_id, error.what());
    return false;
  }
}

void Scheduler::start_job(const Placement& placement) {
  const std::int64_t id = placement.job_id;
  RemoteDispatch dispatch;
  try {
    dispatch = handlers_.prepare_remote(jobs_.at(id));
  } catch (const std::exception& error) {
    if (storage::is_disk_full(error)) throw;
    storage::mark_job_running(db_, id, "coordinator", now_seconds());
    fail_job(id, std::string("could not prepare the job: ") + error.what());
    return;
  }
  // A worker that died while idle is lost here, before its job is marked
  // running: the job waits for the next worker without losing an attempt.
  // Every member of a gang gets the datasets now, so it is ready to start
  // when rank 0 announces its rendezvous.
  bool sent = true;
  for (const int w : placement.workers) {
    for (const std::string& key : dispatch.dataset_keys) {
      if (workers_[static_cast<size_t>(w)].datasets.insert(key).second) {
        sent = sent && send_or_lose(w, handlers_.dataset_message(key));
      }
    }
  }
  dispatch.job.header["job_id"] = id;
  const int size = static_cast<int>(placement.workers.size());
  const int first = placement.workers.front();
  Gang gang;
  if (size > 1 && !place_gang(id, placement.workers, gang)) return;
  Message job = dispatch.job;
  if (size > 1) {
    job.header["gang"] = gang_header(gang, 0);
    if (!gang.devices.empty()) job.header["device"] = gang.devices.front();
  }
  if (!sent || !send_or_lose(first, job)) return;
  // The attempt counts from here (docs/RELIABILITY.md, crash loops).
  std::string where = transport_.worker_name(first);
  for (int r = 1; r < size; ++r)
    where += (r == 1 ? " + " : ", ") + transport_.worker_name(placement.workers[static_cast<size_t>(r)]);
  storage::mark_job_running(db_, id, where, now_seconds());
  set_status(id, JobStatus::Running);
  for (int r = 0; r < size; ++r) {
    WorkerState& worker = workers_[static_cast<size_t>(placement.workers[static_cast<size_t>(r)])];
    worker.ready = false;
    worker.job_id = id;
    worker.gang_rank = r;
    worker.awaiting_gang = r > 0;
    worker.started = worker.last_heard = Clock::now();
  }
  if (size > 1) {
    gang.job = std::move(dispatch.job);
    gangs_[id] = std::move(gang);
  }
}

// Rank 0 listens: the others get the job with its address.
void Scheduler::start_gang_followers(std::int64_t job_id, const Message& rendezvous) {
  const auto found = gangs_.find(job_id);
  if (found == gangs_.end()) return;
  // Copies: a failed send ends the gang, which erases its entry.
  const Gang gang = found->second;
  Message job = gang.job;
  const int size = static_cast<int>(gang.members.size());
  for (int r = 1; r < size; ++r) {
    const int w = gang.members[static_cast<size_t>(r)];
    WorkerState& worker = workers_[static_cast<size_t>(w)];
    if (!worker.awaiting_gang || worker.job_id != job_id) continue;
    job.header["gang"] = gang_header(gang, r);
    job.header["gang"]["port"] = rendezvous.header.at("port");
    if (!gang.devices.empty()) job.header["device"] = gang.devices[static_cast<size_t>(r)];
    worker.awaiting_gang = false;
    worker.started = worker.last_heard = Clock::now();
    if (!send_or_lose(w, job)) return;
    if (stopping_) send_or_lose(w, make_message("interrupt"));
  }
}

// The gang's attempt is over (answered, failed or a member lost): the other
// members leave it. Those still waiting for the rendezvous are free at once;
// those running finish on their own (their answer is dropped) or, when the
// attempt failed, are told to abandon it (their collectives fail anyway
// within the process group's timeout, set to the heartbeat timeout).
void Scheduler::end_gang(std::int64_t job_id, int except_worker, bool tell_to_stop) {
  const auto found = gangs_.find(job_id);
  if (found == gangs_.end()) return;
  const std::vector<int> members = found->second.members;
  gangs_.erase(found);
  for (const int w : members) {
    WorkerState& member = workers_[static_cast<size_t>(w)];
    if (w == except_worker || member.lost || member.job_id != job_id) continue;
    member.gang_rank = 0;
    member.job_id = 0;
    if (member.awaiting_gang) {
      member.awaiting_gang = false;
      member.ready = true;
      continue;
    }
    member.abandoned_job = job_id;
    member.abandon_reason = "its gang's attempt ended";
    member.quiet_abandon = !tell_to_stop;
    member.leaving_gang = true;
    member.started = Clock::now();
    if (tell_to_stop) send_or_lose(w, make_message("abandon", {{"job_id", job_id}}));
  }
}

bool Scheduler::send_or_lose(int w, const Message& message) {
  try {
    transport_.send(w, message);
    return true;
  } catch (const WorkerGone& gone) {
    lose_worker(w, gone.what());
    return false;
  }
}

void Scheduler::lose_worker(int w, const std::string& reason) {
  WorkerState& worker = workers_[static_cast<size_t>(w)];
  if (worker.lost) return;
  if (!worker.ready && worker.job_id != 0) {
    const std::int64_t job_id = worker.job_id;
    fail_job(job_id, "worker " + transport_.worker_name(w) + " lost: " + reason);
    end_gang(job_id, w, true);
  }
  worker = WorkerState{};
  if (!transport_.restart_worker(w)) {
    worker.lost = true;
    lost_workers_.push_back(transport_.worker_name(w) + ": " + reason);
    log("worker " + std::to_string(w) + " is gone and cannot be replaced: " + reason);
  }
}

// A worker that cannot be replaced (an MPI rank) keeps serving the sweep:
// its job is failed (and retried elsewhere), the worker told to drop it, and
// whatever it sends for that job later is discarded.
void Scheduler::abandon_job(int w, const std::string& reason) {
  WorkerState& worker = workers_[static_cast<size_t>(w)];
  const std::int64_t job_id = worker.job_id;
  fail_job(job_id, reason + "; abandoned on " + transport_.worker_name(w));
  end_gang(job_id, w, true);
  worker.job_id = 0;
  worker.gang_rank = 0;
  worker.abandoned_job = job_id;
  worker.abandon_reason = reason;
  worker.started = Clock::now();  // it gets one more time limit to come back
  log("told " + transport_.worker_name(w) + " to abandon " + job_label(job_id) + ": " + reason);
  send_or_lose(w, make_message("abandon", {{"job_id", job_id}}));
}

// True when the message concerns a job the worker was told to abandon.
bool Scheduler::discard_late_answer(int w, const std::string& type, std::int64_t job_id) {
  WorkerState& worker = workers_[static_cast<size_t>(w)];
  if (worker.abandoned_job == 0 || job_id != worker.abandoned_job) return false;
  if (type == "result" || type == "failure" || type == "interrupted") {
    if (!worker.quiet_abandon) {
      log("discarding the late '" + type + "' of abandoned " + job_label(job_id) + " from " +
          transport_.worker_name(w) + "; it takes jobs again");
    }
    worker.abandoned_job = 0;
    worker.quiet_abandon = false;
    worker.leaving_gang = false;
    worker.ready = true;
  }
  return true;
}

void Scheduler::handle(const ReceivedMessage& received) {
  const int w = received.worker;
  WorkerState& worker = workers_[static_cast<size_t>(w)];
  const Message& message = received.message;
  const std::string type = message.type();
  worker.last_heard = Clock::now();
  if (type == "hello") {
    worker.leaving_gang = false;
    worker.address = message.header.value("address", std::string());
    worker.seat = GangSeat{message.header.value("node", std::string()),
                           message.header.value("device", std::string()), message.header.value("gpus", 0)};
    worker.ready = true;
    worker.job_id = 0;
    worker.abandoned_job = 0;
    worker.gang_rank = 0;
    worker.awaiting_gang = false;
    worker.datasets.clear();
    return;
  }
  if (type == "heartbeat") return;
  if (type == "worker_lost") {
    lose_worker(w, message.header.value("reason", std::string("unknown reason")));
    return;
  }
  const std::int64_t job_id = message.header.value("job_id", std::int64_t{0});
  if (worker.lost || discard_late_answer(w, type, job_id)) return;
  if (type == "stopping" && job_id == worker.job_id && job_id != 0) {
    // A gang's job was reached by the stop only when every member says so:
    // a member that died first (under MPI it takes the others down) lost it.
    // (Followers still waiting for the rendezvous have nothing to lose.)
    const auto found = gangs_.find(job_id);
    if (found != gangs_.end()) {
      Gang& gang = found->second;
      gang.stopping.insert(w);
      const bool every_member = std::all_of(gang.members.begin(), gang.members.end(), [&](int member) {
        return gang.stopping.count(member) || workers_[static_cast<size_t>(member)].awaiting_gang;
      });
      if (!every_member) return;
    }
    storage::record_stop_reached(db_, job_id, now_seconds());
    return;
  }
  if (worker.ready || job_id != worker.job_id || !jobs_.count(job_id)) {
    log("ignoring a stale '" + type + "' message from worker " + std::to_string(w));
    return;
  }
  if (type == "rendezvous") {
    start_gang_followers(job_id, message);
    return;
  }
  if (worker.gang_rank > 0) {
    // Rank 0 answers for the gang; a follower's failure fails the attempt.
    const int rank = worker.gang_rank;
    worker.ready = true;
    worker.job_id = 0;
    worker.gang_rank = 0;
    if (type == "failure" && gangs_.count(job_id)) {
      fail_job(job_id, "gang rank " + std::to_string(rank) + " on " + transport_.worker_name(w) + ": " +
                           message.header.value("error", std::string("the worker reported a failure")));
      end_gang(job_id, w, true);
    }
    return;
  }
  const JobRow& job = jobs_.at(job_id);
  if (type == "partial") {
    try {
      storage::Transaction transaction(db_);
      handlers_.record_partial(job, message);
      transaction.commit();
      fault_point(job.stage, "after_batch_commit");
    } catch (const std::exception& error) {
      if (storage::is_disk_full(error)) throw;  // not the job's fault: stop, the rerun resumes
      // A lost batch would leave the job done with media missing: the job
      // fails this attempt (and is retried), and its worker is told to drop it.
      abandon_job(w, std::string("could not record a batch of its results: ") + error.what());
    }
    return;  // the worker is still busy with the job
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - worker.started).count();
  try {
    if (type == "result") {
      storage::Transaction transaction(db_);
      handlers_.record_result(job, message);
      fault_point(job.stage, "result_before_status");
      storage::mark_job_done(db_, job_id, seconds, now_seconds());
      transaction.commit();
      set_status(job_id, JobStatus::Done);
    } else if (type == "interrupted") {
      storage::Transaction transaction(db_);
      handlers_.record_interruption(job, message);
      storage::mark_job_interrupted(db_, job_id, "stopped by a signal; resumes from its checkpoint", now_seconds());
      transaction.commit();
      refresh(job_id);
      log(job_label(job_id) + " interrupted at a safe point");
    } else {
      fail_job(job_id, message.header.value("error", std::string("the worker reported a failure")));
    }
  } catch (const std::exception& error) {
    // The result could not be recorded (bad content): the job fails this
    // attempt; what was committed before is untouched. A full disk stops the
    // sweep instead of spending attempts that cannot succeed.
    if (storage::is_disk_full(error)) throw;
    fail_job(job_id, std::string("could not record the result: ") + error.what());
  }
  worker.ready = true;
  worker.job_id = 0;
  end_gang(job_id, w, type == "failure");
}

void Scheduler::check_liveness() {
  const auto now = Clock::now();
  for (size_t w = 0; w < workers_.size(); ++w) {
    WorkerState& worker = workers_[w];
    if (worker.ready || worker.lost || worker.awaiting_gang) continue;
    if (worker.job_id == 0 && worker.abandoned_job == 0) continue;
    if (worker.leaving_gang && now - worker.started > options_.heartbeat_timeout) {
      // Its collectives give up within the process group's timeout (the
      // heartbeat timeout): past that it hangs.
      lose_worker(
          static_cast<int>(w),
          "its gang's attempt ended, and it did not leave the job within " +
              std::to_string(
                  std::chrono::duration_cast<std::chrono::seconds>(options_.heartbeat_timeout).count()) +
              " s");
      continue;
    }
    if (worker.abandoned_job != 0 && now - worker.started > options_.job_timeout) {
      lose_worker(static_cast<int>(w), worker.abandon_reason + ", and it never came back from that job");
      continue;
    }
    if (worker.job_id != 0 && now - worker.started > options_.job_timeout) {
      const auto minutes = std::chrono::duration<double, std::ratio<60>>(options_.job_timeout).count();
      const std::string reason = "the job exceeded its time limit of " + std::to_string(minutes) + " minutes";
      if (transport_.can_replace_workers()) {
        lose_worker(static_cast<int>(w), reason);
      } else {
        abandon_job(static_cast<int>(w), reason);
      }
    } else if (now - worker.last_heard > options_.heartbeat_timeout) {
      lose_worker(static_cast<int>(w), "no heartbeat for " +
                                           std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                                              options_.heartbeat_timeout)
                                                              .count()) +
                                           " s: the worker hangs or is gone");
    }
  }
}

void Scheduler::begin_stop() {
  stopping_ = true;
  stop_deadline_ = Clock::now() + options_.stop_grace;
  log("stop requested: no new jobs; running jobs stop at their next safe point");
  for (size_t w = 0; w < workers_.size(); ++w) {
    if (!workers_[w].ready && workers_[w].job_id != 0 && !workers_[w].lost) {
      send_or_lose(static_cast<int>(w), make_message("interrupt"));
    }
  }
}

bool Scheduler::finished() const {
  const bool busy = std::any_of(workers_.begin(), workers_.end(), [](const WorkerState& w) {
    return !w.ready && !w.lost && (w.job_id != 0 || w.leaving_gang);
  });
  if (stopping_) return !busy || Clock::now() > stop_deadline_;
  if (busy) return false;
  const bool usable_worker =
      std::any_of(workers_.begin(), workers_.end(), [](const WorkerState& w) { return !w.lost; });
  return ready_on_coordinator_.empty() && (ready_for_workers_.empty() || !usable_worker);
}

void Scheduler::report_progress() {
  if (!options_.on_progress) return;
  SchedulerProgress progress;
  progress.total = counts_.total();
  progress.done = counts_.count(JobStatus::Done);
  progress.failed = counts_.count(JobStatus::Failed);
  progress.running = counts_.count(JobStatus::Running);
  progress.blocked = counts_.blocked();
  progress.pruned = counts_.count(JobStatus::Pruned);
  progress.elapsed_seconds = seconds_since_start();
  progress.work_fraction = work_.fraction_done(progress.elapsed_seconds);
  progress.eta_seconds = work_.eta_seconds(progress.elapsed_seconds);
  options_.on_progress(progress);
}

SchedulerOutcome Scheduler::run() {
  const storage::RequeueCounts left = storage::requeue_running_jobs(db_, sweep_id_, options_.max_attempts);
  if (left.preempted) log(std::to_string(left.preempted) + " job(s) preempted by a stop signal run again");
  if (left.lost) log(std::to_string(left.lost) + " job(s) lost while running (no stop signal) run again");
  if (left.failed) {
    log(std::to_string(left.failed) +
        " job(s) lost while running with no attempt left failed: see `popsweep status`");
  }
  load();
  workers_.assign(static_cast<size_t>(transport_.worker_count()), WorkerState{});
  const auto now = Clock::now();
  for (size_t w = 0; w < workers_.size(); ++w) {
    workers_[w].last_heard = now;
    workers_[w].ready = w < options_.workers_idle_at_start.size() && options_.workers_idle_at_start[w];
  }

  while (!finished()) {
    if (!stopping_ && options_.stop_requested && options_.stop_requested->load()) begin_stop();
    run_coordinator_jobs();
    dispatch();
    if (std::optional<ReceivedMessage> received = transport_.receive(std::chrono::milliseconds(200))) {
      handle(*received);
      // Drain what else has arrived before dispatching again.
      while (std::optional<ReceivedMessage> more = transport_.receive(std::chrono::milliseconds(0))) handle(*more);
    }
    check_liveness();
    if (Clock::now() - last_progress_ > std::chrono::milliseconds(500)) {
      report_progress();
      last_progress_ = Clock::now();
    }
    if (std::all_of(workers_.begin(), workers_.end(), [](const WorkerState& w) { return w.lost; }) &&
        !workers_.empty()) {
      log("every worker is gone");
      break;
    }
  }
  report_progress();
  // Jobs still out at the end of a stop's grace period are left running in
  // the table; the next run requeues them.
  SchedulerOutcome outcome;
  outcome.stopped = stopping_;
  outcome.lost_workers = lost_workers_;
  for (const WorkerState& worker : workers_) outcome.idle_workers.push_back(worker.ready && !worker.lost);
  // A worker that never came back from a job (abandoned past its time limit,
  // or still out when a stop's grace ran out) will not take a "stop": under
  // MPI it would hold MPI_Finalize, so the caller must count it lost.
  for (size_t w = 0; w < workers_.size(); ++w) {
    const WorkerState& worker = workers_[w];
    if (worker.lost || worker.ready) continue;
    const std::string name = transport_.worker_name(static_cast<int>(w));
    if (worker.abandoned_job != 0) {
      outcome.lost_workers.push_back(name + ": " + worker.abandon_reason +
                                     ", and it never came back from that job");
    } else if (worker.job_id != 0) {
      outcome.lost_workers.push_back(name + ": still running " + job_label(worker.job_id) +
                                     " when the stop's grace ran out");
    }
  }
  for (const auto& [id, job] : jobs_) {
    if (job.status == JobStatus::Done) ++outcome.done;
    else if (job.status == JobStatus::Failed) ++outcome.failed;
    else if (job.status == JobStatus::Interrupted) ++outcome.interrupted;
    else if (job.status == JobStatus::Pruned) ++outcome.pruned;
    else ++outcome.pending;
  }
  return outcome;
}

}  // namespace

SchedulerOutcome run_scheduler(storage::Database& db, std::int64_t sweep_id, CoordinatorTransport& transport,
                               StageHandlers& handlers, const SchedulerOptions& options) {
  return Scheduler(db, sweep_id, transport, handlers, options).run();
}

}  // namespace popsweep::orchestrator
