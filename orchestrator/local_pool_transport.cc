#include "orchestrator/local_pool_transport.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "common/error.h"

namespace popsweep::orchestrator {
namespace {

// The worker's end of the socket pair always arrives as this descriptor.
constexpr int kChildChannelFd = 3;

std::string describe_exit(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    const int signal_number = WTERMSIG(status);
    return "killed by signal " + std::to_string(signal_number) + " (" + strsignal(signal_number) + ")" +
           (signal_number == SIGKILL ? ", possibly out of memory" : "");
  }
  return "ended (status " + std::to_string(status) + ")";
}

// The coordinator's environment with `overrides` (NAME=VALUE) replacing or
// adding entries; built before fork, since the child may only exec.
std::vector<std::string> child_environment(const std::vector<std::string>& overrides) {
  std::vector<std::string> entries;
  const auto name_of = [](const std::string& entry) { return entry.substr(0, entry.find('=')); };
  for (char** entry = environ; entry && *entry; ++entry) {
    const std::string inherited(*entry);
    const bool overridden = std::any_of(
        overrides.begin(), overrides.end(),
        [&](const std::string& override_entry) { return name_of(override_entry) == name_of(inherited); });
    if (!overridden) entries.push_back(inherited);
  }
  entries.insert(entries.end(), overrides.begin(), overrides.end());
  return entries;
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

}  // namespace

LocalPoolTransport::LocalPoolTransport(int workers, WorkerCommand command, std::vector<std::string> devices)
    : command_(std::move(command)), devices_(std::move(devices)) {
  // A worker that dies mid-write must not kill the coordinator with SIGPIPE.
  ::signal(SIGPIPE, SIG_IGN);
  workers_.resize(static_cast<size_t>(workers));
  for (int i = 0; i < workers; ++i) spawn(i);
}

LocalPoolTransport::~LocalPoolTransport() {
  try {
    shutdown();
  } catch (...) {
  }
}

std::string LocalPoolTransport::worker_name(int worker) const {
  return "local-" + std::to_string(worker) + "/pid-" +
         std::to_string(workers_[static_cast<size_t>(worker)].pid);
}

void LocalPoolTransport::spawn(int index) {
  int sockets[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sockets) != 0) {
    throw Error(std::string("socketpair failed: ") + std::strerror(errno));
  }
  std::vector<std::string> arguments = command_.arguments;
  if (!devices_.empty()) {
    arguments.push_back("--device");
    arguments.push_back(devices_[static_cast<size_t>(index) % devices_.size()]);
  }
  arguments.push_back("--channel-fd");
  arguments.push_back(std::to_string(kChildChannelFd));
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(command_.executable.c_str()));
  for (std::string& argument : arguments) argv.push_back(argument.data());
  argv.push_back(nullptr);
  std::vector<std::string> environment = child_environment(command_.environment);
  std::vector<char*> envp;
  for (std::string& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);

  const pid_t pid = ::fork();
  if (pid < 0) throw Error(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    ::dup2(sockets[1], kChildChannelFd);  // dup2 clears close-on-exec on the copy
    ::execve(command_.executable.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(sockets[1]);
  set_nonblocking(sockets[0]);
  Worker& worker = workers_[static_cast<size_t>(index)];
  worker.pid = pid;
  worker.fd = sockets[0];
  worker.alive = true;
  worker.reader = FrameReader();
}

std::string LocalPoolTransport::reap(int index) {
  Worker& worker = workers_[static_cast<size_t>(index)];
  if (worker.fd >= 0) ::close(worker.fd);
  worker.fd = -1;
  worker.alive = false;
  int status = 0;
  // The socket closed, so the process is exiting; give it a moment, then insist.
  for (int attempt = 0; attempt < 50; ++attempt) {
    const pid_t done = ::waitpid(worker.pid, &status, WNOHANG);
    if (done == worker.pid) return describe_exit(status);
    if (done < 0) return "ended";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(worker.pid, SIGKILL);
  ::waitpid(worker.pid, &status, 0);
  return "closed its channel and was killed";
}

void LocalPoolTransport::send(int worker, const Message& message) {
  Worker& target = workers_[static_cast<size_t>(worker)];
  const std::string name = worker_name(worker);
  if (!target.alive) throw WorkerGone("worker " + name + " is not running");
  try {
    write_frame(target.fd, message);
  } catch (const Error& error) {
    // It died while idle, before its end of the socket was seen to close.
    const std::string why = reap(worker);
    throw WorkerGone("worker " + name + " is gone (" + error.what() + "): the process " + why);
  }
}

std::optional<ReceivedMessage> LocalPoolTransport::take_buffered(int index) {
  Worker& worker = workers_[static_cast<size_t>(index)];
  try {
    if (std::optional<Message> message = worker.reader.next())
      return ReceivedMessage{index, std::move(*message)};
    return std::nullopt;
  } catch (const Error& error) {
    // The stream is out of step: nothing after these bytes can be trusted.
    worker.reader = FrameReader();
    std::string why = "had already ended";
    if (worker.alive) {
      ::kill(worker.pid, SIGKILL);
      why = reap(index);
    }
    return ReceivedMessage{
        index, make_message("worker_lost", {{"reason", std::string("worker process sent bytes that "
                                                                   "are not a message (") +
                                                           error.what() + "); the process " + why}})};
  }
}

std::optional<ReceivedMessage> LocalPoolTransport::receive(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    // Messages already buffered come first.
    for (size_t k = 0; k < workers_.size(); ++k) {
      const size_t i = (next_to_poll_ + k) % workers_.size();
      if (std::optional<ReceivedMessage> message = take_buffered(static_cast<int>(i))) {
        next_to_poll_ = (i + 1) % workers_.size();
        return message;
      }
    }
    std::vector<pollfd> fds;
    std::vector<int> owners;
    for (size_t i = 0; i < workers_.size(); ++i) {
      if (!workers_[i].alive) continue;
      fds.push_back({workers_[i].fd, POLLIN, 0});
      owners.push_back(static_cast<int>(i));
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (fds.empty()) {
      if (left.count() > 0) std::this_thread::sleep_for(left);
      return std::nullopt;
    }
    const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(std::max<long>(0, left.count())));
    if (ready < 0 && errno != EINTR) throw Error(std::string("poll failed: ") + std::strerror(errno));
    if (ready <= 0) {
      if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
      continue;
    }
    for (size_t k = 0; k < fds.size(); ++k) {
      if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const int index = owners[k];
      Worker& worker = workers_[static_cast<size_t>(index)];
      if (!worker.reader.fill(worker.fd)) {
        // Deliver what it managed to send before it went away, then the loss.
        if (std::optional<ReceivedMessage> message = take_buffered(index)) {
          if (worker.alive) worker.reader.fill(worker.fd);
          return message;
        }
        const std::string why = reap(index);
        return ReceivedMessage{index, make_message("worker_lost", {{"reason", "worker process " + why}})};
      }
    }
  }
}

bool LocalPoolTransport::restart_worker(int worker) {
  Worker& target = workers_[static_cast<size_t>(worker)];
  if (target.alive) {
    ::kill(target.pid, SIGKILL);
    reap(worker);
  }
  spawn(worker);
  return true;
}

void LocalPoolTransport::shutdown() {
  for (size_t i = 0; i < workers_.size(); ++i) {
    if (!workers_[i].alive) continue;
    try {
      write_frame(workers_[i].fd, make_message("stop"));
    } catch (const Error&) {
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (size_t i = 0; i < workers_.size(); ++i) {
    Worker& worker = workers_[i];
    if (!worker.alive) continue;
    int status = 0;
    while (::waitpid(worker.pid, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(worker.pid, SIGKILL);
        ::waitpid(worker.pid, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::close(worker.fd);
    worker.fd = -1;
    worker.alive = false;
  }
}

// ------------------------------------------------------------ worker side

SocketWorkerChannel::SocketWorkerChannel(int fd) : fd_(fd) {
  ::signal(SIGPIPE, SIG_IGN);
  set_nonblocking(fd_);
}

void SocketWorkerChannel::send(const Message& message) { write_frame(fd_, message); }

std::optional<Message> SocketWorkerChannel::receive(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (std::optional<Message> message = reader_.next()) return message;
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd fd{fd_, POLLIN, 0};
    const int ready = ::poll(&fd, 1, static_cast<int>(std::max<long>(0, left.count())));
    if (ready < 0 && errno != EINTR) throw Error(std::string("poll failed: ") + std::strerror(errno));
    if (ready > 0 && !reader_.fill(fd_)) {
      if (std::optional<Message> message = reader_.next()) return message;
      throw Error("the coordinator closed the channel");
    }
    if (ready == 0 && std::chrono::steady_clock::now() >= deadline) return std::nullopt;
  }
}

}  // namespace popsweep::orchestrator
