#include "orchestrator/worker_loop.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include "common/fault_points.h"

namespace popsweep::orchestrator {
namespace {

// How soon a stop (a signal, or the coordinator's "interrupt") is confirmed.
constexpr std::chrono::milliseconds kStopCheckInterval{100};

Message failure_message(const nlohmann::json& job_id, const std::string& error) {
  return make_message("failure", {{"job_id", job_id}, {"error", error}});
}

// Returns false when the worker should leave (a "stop" arrived meanwhile).
bool run_one_job(WorkerChannel& channel, JobExecutor& executor, const Message& job,
                 const WorkerLoopOptions& options) {
  const nlohmann::json job_id = job.header.value("job_id", nlohmann::json());
  fault_point_for_job("worker.job_start", job_id.is_number_integer() ? job_id.get<std::int64_t>() : 0);
  std::atomic<bool> stop_requested{false};
  bool leave_afterwards = false;
  // Partial results go through this loop's thread: only it talks to the
  // coordinator (MPI is initialised for one communicating thread).
  std::mutex outbox_mutex;
  std::condition_variable outbox_ready;
  std::deque<Message> outbox;
  std::atomic<bool> finished{false};
  const Emitter emit = [&](Message message) {
    message.header["job_id"] = job_id;
    {
      std::lock_guard<std::mutex> lock(outbox_mutex);
      outbox.push_back(std::move(message));
    }
    outbox_ready.notify_one();
  };
  std::packaged_task<Message()> task([&] {
    struct MarkFinished {
      std::atomic<bool>& flag;
      std::condition_variable& ready;
      ~MarkFinished() {
        flag = true;
        ready.notify_one();
      }
    } mark{finished, outbox_ready};
    try {
      return executor.execute(
          job, [&] { return stop_requested.load() || (options.stop_signal && options.stop_signal->load()); }, emit);
    } catch (const std::exception& error) {
      return failure_message(job_id, error.what());
    } catch (...) {
      return failure_message(job_id, "unknown error");
    }
  });
  std::future<Message> outcome = task.get_future();
  std::thread runner(std::move(task));
  // If talking to the coordinator fails, the job is asked to stop and joined
  // before the error leaves: a running thread must never be abandoned.
  struct JoinOnExit {
    std::thread& thread;
    std::atomic<bool>& stop;
    ~JoinOnExit() {
      if (thread.joinable()) {
        stop = true;
        thread.join();
      }
    }
  } join_on_exit{runner, stop_requested};
  auto send_outbox = [&] {
    std::deque<Message> ready;
    {
      std::lock_guard<std::mutex> lock(outbox_mutex);
      ready.swap(outbox);
    }
    for (const Message& message : ready) channel.send(message);
  };
  // The loop wakes often: a stop must be confirmed to the coordinator within
  // moments (Slurm may kill the job soon after its signal), heartbeats go out
  // at their own pace.
  const auto wake_every = std::min<std::chrono::milliseconds>(options.heartbeat_interval, kStopCheckInterval);
  auto next_heartbeat = std::chrono::steady_clock::now() + options.heartbeat_interval;
  bool stop_confirmed = false;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(outbox_mutex);
      outbox_ready.wait_for(lock, wake_every, [&] { return finished.load() || !outbox.empty(); });
    }
    send_outbox();
    if (outcome.wait_for(std::chrono::seconds(0)) == std::future_status::ready) break;
    // Drain what the coordinator said meanwhile, without blocking.
    while (std::optional<Message> message = channel.receive(std::chrono::milliseconds(0))) {
      // "abandon": the job ran past its time limit and is retried elsewhere;
      // stopping at the next safe point frees this worker soonest (its
      // answer is discarded).
      if (message->type() == "interrupt" || message->type() == "abandon") stop_requested = true;
      if (message->type() == "stop") {
        stop_requested = true;
        leave_afterwards = true;
      }
      if (message->type() == "dataset") executor.accept_dataset(*message);
    }
    const bool stop_signalled = options.stop_signal && options.stop_signal->load();
    if (!stop_confirmed && (stop_requested.load() || stop_signalled)) {
      // Tells the coordinator this job was preempted, not lost, even if the
      // process is killed before the job reaches its safe point.
      channel.send(make_message("stopping", {{"job_id", job_id}}));
      stop_confirmed = true;
    }
    if (std::chrono::steady_clock::now() >= next_heartbeat) {
      channel.send(make_message("heartbeat", {{"job_id", job_id}}));
      next_heartbeat = std::chrono::steady_clock::now() + options.heartbeat_interval;
    }
  }
  runner.join();
  send_outbox();
  Message result = outcome.get();
  result.header["job_id"] = job_id;
  channel.send(result);
  return !leave_afterwards;
}

}  // namespace

void run_worker_loop(WorkerChannel& channel, JobExecutor& executor, const WorkerLoopOptions& options) {
  nlohmann::json hello = options.hello.is_object() ? options.hello : nlohmann::json::object();
  hello["description"] = options.description;
  channel.send(make_message("hello", std::move(hello)));
  for (;;) {
    std::optional<Message> message = channel.receive(options.idle_timeout);
    if (!message || message->type() == "stop") return;
    if (message->type() == "dataset") {
      executor.accept_dataset(*message);
    } else if (message->type() == "job") {
      if (!run_one_job(channel, executor, *message, options)) return;
    }
    // "interrupt" while idle has nothing to interrupt.
  }
}

}  // namespace popsweep::orchestrator
