// The default transport: a pool of worker processes on this machine, each a
// `popsweep worker` child talking over a socket pair. A worker that crashes
// (a segfault, an out-of-memory kill) only loses the job it was running: the
// coordinator sees the socket close, learns why from waitpid, and starts a
// replacement. The same goes for a worker that dies while idle (the send to
// it throws WorkerGone) or writes bytes that are not a message.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "orchestrator/stream_framing.h"
#include "orchestrator/transport.h"

namespace popsweep::orchestrator {

struct WorkerCommand {
  std::string executable;                // usually /proc/self/exe
  std::vector<std::string> arguments;    // after the executable; "--channel-fd N" is appended
  std::vector<std::string> environment;  // NAME=VALUE set on top of the coordinator's environment
};

class LocalPoolTransport : public CoordinatorTransport {
 public:
  // `devices`: worker i gets "--device devices[i mod size]" (empty: no flag).
  LocalPoolTransport(int workers, WorkerCommand command, std::vector<std::string> devices = {});
  ~LocalPoolTransport() override;

  int worker_count() const override { return static_cast<int>(workers_.size()); }
  std::string worker_name(int worker) const override;
  void send(int worker, const Message& message) override;
  std::optional<ReceivedMessage> receive(std::chrono::milliseconds timeout) override;
  bool restart_worker(int worker) override;
  void shutdown() override;

  pid_t pid_of(int worker) const { return workers_[static_cast<size_t>(worker)].pid; }

 private:
  struct Worker {
    pid_t pid = -1;
    int fd = -1;
    bool alive = false;
    FrameReader reader;
  };
  void spawn(int index);
  std::string reap(int index);  // closes the socket, waits for the process, says why it ended
  // The next whole message already read from a worker; bytes that are not a
  // message end the worker (killed, then reported as "worker_lost").
  std::optional<ReceivedMessage> take_buffered(int index);

  WorkerCommand command_;
  std::vector<std::string> devices_;
  std::vector<Worker> workers_;
  size_t next_to_poll_ = 0;  // round-robin, so one chatty worker cannot starve the rest
};

// The worker's end of the socket.
class SocketWorkerChannel : public WorkerChannel {
 public:
  explicit SocketWorkerChannel(int fd);
  void send(const Message& message) override;
  std::optional<Message> receive(std::chrono::milliseconds timeout) override;

 private:
  int fd_;
  FrameReader reader_;
};

}  // namespace popsweep::orchestrator
