// How the coordinator reaches its workers, without the scheduler knowing
// which mechanism it is: a local pool of processes (pipes), MPI ranks, or
// threads in one process (tests). Every wait has a timeout, so neither side
// blocks forever on the other.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "common/error.h"
#include "orchestrator/message.h"

namespace popsweep::orchestrator {

struct ReceivedMessage {
  int worker = 0;
  Message message;
};

// A send that could not reach its worker (it died while idle, or stopped
// taking messages). The scheduler loses that worker, not the sweep.
class WorkerGone : public Error {
 public:
  explicit WorkerGone(const std::string& message) : Error(message) {}
};

// The coordinator's side. A worker that dies, or sends bytes that are not a
// message, is reported as a message of type "worker_lost" with a "reason"
// field; send throws WorkerGone.
class CoordinatorTransport {
 public:
  virtual ~CoordinatorTransport() = default;
  virtual int worker_count() const = 0;
  virtual std::string worker_name(int worker) const = 0;
  virtual void send(int worker, const Message& message) = 0;
  virtual std::optional<ReceivedMessage> receive(std::chrono::milliseconds timeout) = 0;
  // Replaces a lost or hung worker where the transport can (a local pool
  // starts a new process); returns false where it cannot (MPI).
  virtual bool restart_worker(int worker) = 0;
  // Whether restart_worker can replace a worker. Where it cannot (MPI), a
  // job past its time limit is abandoned on its worker, not the worker lost.
  virtual bool can_replace_workers() const { return true; }
  // Tells every worker to stop and waits for them (bounded).
  virtual void shutdown() = 0;
};

// A worker's side.
class WorkerChannel {
 public:
  virtual ~WorkerChannel() = default;
  virtual void send(const Message& message) = 0;
  // nullopt on timeout; throws when the coordinator is gone.
  virtual std::optional<Message> receive(std::chrono::milliseconds timeout) = 0;
};

}  // namespace popsweep::orchestrator
