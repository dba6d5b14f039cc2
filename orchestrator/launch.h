// How this process was started: plainly (the coordinator with a local pool
// of worker processes) or by an MPI launcher (rank 0 coordinates, the other
// ranks are workers). MPI must be initialised before any thread starts, so
// main() calls start_mpi_if_launched() first thing.
#pragma once

#include <memory>
#include <string>

#include "orchestrator/stage_executor.h"
#include "orchestrator/transport.h"

namespace popsweep::orchestrator {

class MpiWorld;

// Initialises MPI when mpirun/srun started several ranks; returns the world
// or nullptr. The world lives for the whole process (MPI allows one).
MpiWorld* start_mpi_if_launched(int* argc, char*** argv);
MpiWorld* mpi_world();  // nullptr when not under MPI

// Workers for a local pool: `cores / workers` threads each, at least one.
struct WorkerLayout {
  int workers = 1;
  int threads_per_worker = 1;
};
WorkerLayout choose_worker_layout(int requested_workers, int requested_threads);

// The coordinator's transport: MPI ranks when launched so, otherwise a local
// pool of `popsweep worker` processes.
std::unique_ptr<CoordinatorTransport> make_coordinator_transport(const WorkerLayout& layout,
                                                                 const std::string& device);

// The device a worker uses: "auto" picks GPU (local rank mod visible GPUs)
// when LibTorch has CUDA, else the CPU.
std::string choose_device(const std::string& requested, int local_rank);

// Ends the process's MPI life cleanly (rank 0 after its workers stopped).
void finish_mpi();

}  // namespace popsweep::orchestrator
