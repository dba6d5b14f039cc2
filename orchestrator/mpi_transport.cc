#include "orchestrator/mpi_transport.h"

#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#include "common/error.h"

namespace popsweep::orchestrator {
namespace {

constexpr int kMessageTag = 17;
constexpr int kChunkTag = 18;
// MPI counts are ints; larger messages travel in chunks of this size.
constexpr size_t kChunkBytes = size_t{1} << 30;

void check(int code, const char* what) {
  if (code != MPI_SUCCESS) {
    char text[MPI_MAX_ERROR_STRING];
    int length = 0;
    MPI_Error_string(code, text, &length);
    throw Error(std::string("MPI ") + what + " failed: " + std::string(text, static_cast<size_t>(length)));
  }
}

int environment_int(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value ? std::atoi(value) : fallback;
}

// How long the coordinator waits for a rank to take a message: a job or a
// dataset goes to an idle rank, which takes it at once; a control message
// ("interrupt", "abandon", "stop") is small enough to leave without its
// receiver. A rank that takes nothing this long is gone for the sweep.
constexpr std::chrono::seconds kSendTimeout{120};
constexpr std::chrono::seconds kStopSendTimeout{2};

// A message is a header of its total size, then chunks.
void send_bytes(const std::string& bytes, int destination) {
  unsigned long long size = bytes.size();
  check(MPI_Send(&size, 1, MPI_UNSIGNED_LONG_LONG, destination, kMessageTag, MPI_COMM_WORLD), "send");
  for (size_t offset = 0; offset < bytes.size(); offset += kChunkBytes) {
    const size_t part = std::min(kChunkBytes, bytes.size() - offset);
    check(MPI_Send(bytes.data() + offset, static_cast<int>(part), MPI_BYTE, destination, kChunkTag, MPI_COMM_WORLD),
          "send");
  }
}

std::string receive_bytes(int source) {
  unsigned long long size = 0;
  check(MPI_Recv(&size, 1, MPI_UNSIGNED_LONG_LONG, source, kMessageTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE), "receive");
  std::string bytes(size, '\0');
  for (size_t offset = 0; offset < bytes.size(); offset += kChunkBytes) {
    const size_t part = std::min(kChunkBytes, bytes.size() - offset);
    check(MPI_Recv(bytes.data() + offset, static_cast<int>(part), MPI_BYTE, source, kChunkTag, MPI_COMM_WORLD,
                   MPI_STATUS_IGNORE),
          "receive");
  }
  return bytes;
}

// Polls for a message header from `source` (or any) until the timeout.
std::optional<int> wait_for_message(int source, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int arrived = 0;
    MPI_Status status;
    check(MPI_Iprobe(source, kMessageTag, MPI_COMM_WORLD, &arrived, &status), "probe");
    if (arrived) return status.MPI_SOURCE;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

}  // namespace

bool launched_by_mpi_with_several_ranks() {
  // mpirun sets OMPI_COMM_WORLD_SIZE; `srun --mpi=pmix` sets PMIX_RANK and
  // the step's task count instead.
  if (environment_int("OMPI_COMM_WORLD_SIZE", 1) > 1 || environment_int("PMI_SIZE", 1) > 1) return true;
  return std::getenv("PMIX_RANK") != nullptr && environment_int("SLURM_STEP_NUM_TASKS", 1) > 1;
}

MpiWorld& MpiWorld::initialise(int* argc, char*** argv) {
  static MpiWorld world;
  int provided = 0;
  check(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided), "init");
  // Errors come back as codes, so they are reported with context instead of
  // killing the job without a word.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  check(MPI_Comm_rank(MPI_COMM_WORLD, &world.rank_), "rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, &world.size_), "size");
  world.local_rank_ = environment_int("OMPI_COMM_WORLD_LOCAL_RANK", environment_int("SLURM_LOCALID", 0));
  return world;
}

void MpiWorld::finalise() {
  if (!finalised_) {
    finalised_ = true;
    MPI_Finalize();
  }
}

void MpiWorld::abort_world(const std::string& reason, int code) {
  std::fprintf(stderr, "popsweep: rank %d of %d aborts the MPI job: %s\n", rank_, size_, reason.c_str());
  std::fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, code);
  std::_Exit(code);
}

struct MpiCoordinatorTransport::UnfinishedSend {
  unsigned long long size = 0;
  std::string bytes;
  std::vector<MPI_Request> requests;
};

MpiCoordinatorTransport::MpiCoordinatorTransport(MpiWorld& world) : world_(world) {}

// Unfinished sends are leaked on purpose: MPI may still read their bytes.
MpiCoordinatorTransport::~MpiCoordinatorTransport() {
  for (std::unique_ptr<UnfinishedSend>& send : unfinished_) static_cast<void>(send.release());
}

// Non-blocking sends completed within a deadline, so a rank that hangs or
// died can never hold the coordinator, least of all on its way to stop.
void MpiCoordinatorTransport::send_within(int worker, const Message& message,
                                          std::chrono::milliseconds timeout) {
  auto send = std::make_unique<UnfinishedSend>();
  send->bytes = encode_message(message);
  send->size = send->bytes.size();
  const int destination = worker + 1;
  send->requests.emplace_back();
  check(MPI_Isend(&send->size, 1, MPI_UNSIGNED_LONG_LONG, destination, kMessageTag, MPI_COMM_WORLD,
                  &send->requests.back()),
        "send");
  for (size_t offset = 0; offset < send->bytes.size(); offset += kChunkBytes) {
    const size_t part = std::min(kChunkBytes, send->bytes.size() - offset);
    send->requests.emplace_back();
    check(MPI_Isend(send->bytes.data() + offset, static_cast<int>(part), MPI_BYTE, destination, kChunkTag,
                    MPI_COMM_WORLD, &send->requests.back()),
          "send");
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int done = 0;
    check(MPI_Testall(static_cast<int>(send->requests.size()), send->requests.data(), &done,
                      MPI_STATUSES_IGNORE),
          "send");
    if (done) return;
    if (std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  unfinished_.push_back(std::move(send));
  throw WorkerGone(worker_name(worker) + " took no message for " +
                   std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) + " s");
}

void MpiCoordinatorTransport::send(int worker, const Message& message) {
  try {
    send_within(worker, message, kSendTimeout);
  } catch (const WorkerGone&) {
    throw;
  } catch (const Error& error) {
    throw WorkerGone(worker_name(worker) + ": " + error.what());
  }
}

std::optional<ReceivedMessage> MpiCoordinatorTransport::receive(std::chrono::milliseconds timeout) {
  const std::optional<int> source = wait_for_message(MPI_ANY_SOURCE, timeout);
  if (!source) return std::nullopt;
  try {
    return ReceivedMessage{*source - 1, decode_message(receive_bytes(*source))};
  } catch (const Error& error) {
    // A rank cannot be restarted: the scheduler gives up on it, not the sweep.
    return ReceivedMessage{*source - 1,
                           make_message("worker_lost", {{"reason", std::string("sent bytes that are "
                                                                               "not a message (") +
                                                                       error.what() + ")"}})};
  }
}

void MpiCoordinatorTransport::shutdown() {
  for (int worker = 0; worker < worker_count(); ++worker) {
    try {
      send_within(worker, make_message("stop"), kStopSendTimeout);
    } catch (const Error&) {
    }
  }
}

void MpiWorkerChannel::send(const Message& message) { send_bytes(encode_message(message), 0); }

std::optional<Message> MpiWorkerChannel::receive(std::chrono::milliseconds timeout) {
  if (!wait_for_message(0, timeout)) return std::nullopt;
  return decode_message(receive_bytes(0));
}

}  // namespace popsweep::orchestrator
