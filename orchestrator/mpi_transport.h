// Dispatch over MPI: rank 0 is the coordinator, every other rank a worker
// (`mpirun -np N popsweep run SPEC`, or `srun --mpi=pmix` under Slurm).
// Only point-to-point messages are used, never collectives, so a rank that
// dies or hangs cannot block the others; every wait polls with a timeout,
// and the coordinator's sends too: a rank that takes no message in time, or
// sends bytes that are not a message, is lost to the sweep.
// Following LightGBM's discipline, MPI is never finalised from a destructor:
// a rank that throws calls abort_world() with the reason, because finalising
// while the others wait would hang them all.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "orchestrator/transport.h"

namespace popsweep::orchestrator {

// True when this process was started by an MPI launcher (mpirun, srun) with
// more than one rank; popsweep then uses MPI instead of its local pool.
bool launched_by_mpi_with_several_ranks();

class MpiWorld {
 public:
  // MPI_Init_thread (only the main thread talks to MPI). Checks every call.
  static MpiWorld& initialise(int* argc, char*** argv);
  int rank() const { return rank_; }
  int size() const { return size_; }
  // The rank's index among the ranks on its node (for picking a GPU).
  int local_rank() const { return local_rank_; }
  void finalise();
  [[noreturn]] void abort_world(const std::string& reason, int code = 1);

 private:
  MpiWorld() = default;
  int rank_ = 0;
  int size_ = 1;
  int local_rank_ = 0;
  bool finalised_ = false;
};

class MpiCoordinatorTransport : public CoordinatorTransport {
 public:
  explicit MpiCoordinatorTransport(MpiWorld& world);
  ~MpiCoordinatorTransport() override;
  int worker_count() const override { return world_.size() - 1; }
  std::string worker_name(int worker) const override { return "rank-" + std::to_string(worker + 1); }
  void send(int worker, const Message& message) override;
  std::optional<ReceivedMessage> receive(std::chrono::milliseconds timeout) override;
  bool restart_worker(int) override { return false; }  // a rank cannot be restarted
  bool can_replace_workers() const override { return false; }
  void shutdown() override;

 private:
  struct UnfinishedSend;  // bytes MPI may still read: kept until the process ends
  void send_within(int worker, const Message& message, std::chrono::milliseconds timeout);

  MpiWorld& world_;
  std::vector<std::unique_ptr<UnfinishedSend>> unfinished_;
};

class MpiWorkerChannel : public WorkerChannel {
 public:
  explicit MpiWorkerChannel(MpiWorld& world) : world_(world) {}
  void send(const Message& message) override;
  std::optional<Message> receive(std::chrono::milliseconds timeout) override;

 private:
  MpiWorld& world_;
};

}  // namespace popsweep::orchestrator
