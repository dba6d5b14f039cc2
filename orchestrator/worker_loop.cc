#include "orchestrator/worker_loop.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

namespace popsweep::orchestrator {
namespace {

Message failure_message(const nlohmann::json& job_id, const std::string& error) {
  return make_message("failure", {{"job_id", job_id}, {"error", error}});
}

// Returns false when the worker should leave (a "stop" arrived meanwhile).
bool run_one_job(WorkerChannel& channel, JobExecutor& executor, const Message& job,
                 const WorkerLoopOptions& options) {
  const nlohmann::json job_id = job.header.value("job_id", nlohmann::json());
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
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(outbox_mutex);
      outbox_ready.wait_for(lock, options.heartbeat_interval, [&] { return finished.load() || !outbox.empty(); });
    }
    send_outbox();
    if (outcome.wait_for(std::chrono::seconds(0)) == std::future_status::ready) break;
    channel.send(make_message("heartbeat", {{"job_id", job_id}}));
    // Drain what the coordinator said meanwhile, without blocking.
    while (std::optional<Message> message = channel.receive(std::chrono::milliseconds(0))) {
      if (message->type() == "interrupt") stop_requested = true;
      if (message->type() == "stop") {
        stop_requested = true;
        leave_afterwards = true;
      }
      if (message->type() == "dataset") executor.accept_dataset(*message);
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
  channel.send(make_message("hello", {{"description", options.description}}));
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
