// Workers as threads of the coordinator's process, talking through queues.
// The scheduler cannot tell it from a real pool; tests use it to drive the
// whole dispatch protocol without processes or MPI, and it can simulate a
// worker dying (its thread ends without a word).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "orchestrator/transport.h"

namespace popsweep::orchestrator {

// A blocking queue of messages with a timed pop.
class MessageQueue {
 public:
  void push(Message message);
  std::optional<Message> pop(std::chrono::milliseconds timeout);
  void close();  // wakes waiters; later pops throw

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Message> items_;
  bool closed_ = false;
};

class InProcessTransport : public CoordinatorTransport {
 public:
  using WorkerMain = std::function<void(WorkerChannel& channel, int worker)>;
  // `replaceable` false makes it behave like MPI ranks: a lost worker is not
  // restarted, and a job past its time limit is abandoned on its worker.
  InProcessTransport(int workers, WorkerMain worker_main, bool replaceable = true);
  ~InProcessTransport() override;

  int worker_count() const override { return static_cast<int>(workers_.size()); }
  std::string worker_name(int worker) const override { return "thread-" + std::to_string(worker); }
  void send(int worker, const Message& message) override;
  std::optional<ReceivedMessage> receive(std::chrono::milliseconds timeout) override;
  bool restart_worker(int worker) override;
  bool can_replace_workers() const override { return replaceable_; }
  void shutdown() override;

 private:
  struct Worker;
  void start(int index);

  WorkerMain worker_main_;
  bool replaceable_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::mutex inbox_mutex_;
  std::condition_variable inbox_ready_;
  // Each message carries the generation of the worker thread that sent it,
  // so a replaced worker's last words never reach the scheduler.
  std::deque<std::pair<int, ReceivedMessage>> inbox_;
};

}  // namespace popsweep::orchestrator
