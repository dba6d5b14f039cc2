#include "orchestrator/in_process_transport.h"

#include "common/error.h"

namespace popsweep::orchestrator {

void MessageQueue::push(Message message) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    items_.push_back(std::move(message));
  }
  ready_.notify_one();
}

std::optional<Message> MessageQueue::pop(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  ready_.wait_for(lock, timeout, [&] { return closed_ || !items_.empty(); });
  if (!items_.empty()) {
    Message message = std::move(items_.front());
    items_.pop_front();
    return message;
  }
  if (closed_) throw Error("the coordinator closed the channel");
  return std::nullopt;
}

void MessageQueue::close() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
  }
  ready_.notify_all();
}

struct InProcessTransport::Worker {
  MessageQueue to_worker;
  std::thread thread;
  int generation = 0;
};

namespace {

class QueueChannel : public WorkerChannel {
 public:
  QueueChannel(MessageQueue& inbound, std::function<void(Message)> outbound)
      : inbound_(inbound), outbound_(std::move(outbound)) {}
  void send(const Message& message) override { outbound_(message); }
  std::optional<Message> receive(std::chrono::milliseconds timeout) override { return inbound_.pop(timeout); }

 private:
  MessageQueue& inbound_;
  std::function<void(Message)> outbound_;
};

}  // namespace

InProcessTransport::InProcessTransport(int workers, WorkerMain worker_main, bool replaceable)
    : worker_main_(std::move(worker_main)), replaceable_(replaceable) {
  for (int i = 0; i < workers; ++i) workers_.push_back(std::make_unique<Worker>());
  for (int i = 0; i < workers; ++i) start(i);
}

InProcessTransport::~InProcessTransport() { shutdown(); }

void InProcessTransport::start(int index) {
  Worker& worker = *workers_[static_cast<size_t>(index)];
  const int generation = worker.generation;
  worker.thread = std::thread([this, index, generation, &worker] {
    auto deliver = [this, index, generation](Message message) {
      {
        std::lock_guard<std::mutex> lock(inbox_mutex_);
        inbox_.push_back({generation, {index, std::move(message)}});
      }
      inbox_ready_.notify_one();
    };
    QueueChannel channel(worker.to_worker, deliver);
    std::string reason = "worker thread returned";
    try {
      worker_main_(channel, index);
    } catch (const std::exception& error) {
      reason = std::string("worker thread failed: ") + error.what();
    }
    deliver(make_message("worker_lost", {{"reason", reason}}));
  });
}

void InProcessTransport::send(int worker, const Message& message) {
  workers_[static_cast<size_t>(worker)]->to_worker.push(message);
}

std::optional<ReceivedMessage> InProcessTransport::receive(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(inbox_mutex_);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    inbox_ready_.wait_until(lock, deadline, [&] { return !inbox_.empty(); });
    if (inbox_.empty()) return std::nullopt;
    auto [generation, message] = std::move(inbox_.front());
    inbox_.pop_front();
    if (generation == workers_[static_cast<size_t>(message.worker)]->generation) return message;
  }
}

bool InProcessTransport::restart_worker(int worker) {
  if (!replaceable_) return false;
  Worker& target = *workers_[static_cast<size_t>(worker)];
  // A thread cannot be killed; it can only be asked to leave.
  target.to_worker.close();
  if (target.thread.joinable()) target.thread.join();
  const int next_generation = target.generation + 1;
  {
    std::lock_guard<std::mutex> lock(inbox_mutex_);
    workers_[static_cast<size_t>(worker)] = std::make_unique<Worker>();
    workers_[static_cast<size_t>(worker)]->generation = next_generation;
  }
  start(worker);
  return true;
}

void InProcessTransport::shutdown() {
  for (auto& worker : workers_) worker->to_worker.push(make_message("stop"));
  for (auto& worker : workers_) {
    if (worker->thread.joinable()) worker->thread.join();
  }
}

}  // namespace popsweep::orchestrator
