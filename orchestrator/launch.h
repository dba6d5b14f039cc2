// How this process was started: plainly (the coordinator with a local pool
// of worker processes) or by an MPI launcher (rank 0 coordinates, the other
// ranks are workers). MPI must be initialised before any thread starts, so
// main() calls start_mpi_if_launched() first thing.
#pragma once

#include <memory>
#include <string>
#include <vector>

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

// Extra environment for the pool's worker processes. When the pool asks for
// more threads than the machine has cores, OpenMP threads that spin while
// waiting steal each other's cores: one image_to_video job went from 1.6 s to
// 14.9 s beside two busy processes, and to 2.8 s with OMP_WAIT_POLICY=PASSIVE
// (docs/BENCHMARKS.md). Passive waiting costs ~35% on an idle machine, so it
// is only set when oversubscribed, and never over the user's own setting.
std::vector<std::string> worker_process_environment(const WorkerLayout& layout, int cores,
                                                    const char* user_wait_policy);

// The coordinator's transport: MPI ranks when launched so, otherwise a local
// pool of `popsweep worker` processes, worker i on `pool_devices[i]`
// (choose_pool_devices; MPI ranks choose their own).
std::unique_ptr<CoordinatorTransport> make_coordinator_transport(
    const WorkerLayout& layout, const std::vector<std::string>& pool_devices);

// The device of the process with this local rank (device_assignment.h: cpu,
// auto, cuda, cuda:N), counting the GPUs LibTorch sees. ConfigError for a
// malformed name or a GPU that is not visible.
std::string choose_device(const std::string& requested, int local_rank);
// The same for each of a local pool's `workers`: `auto` and `cuda` spread
// them over the visible GPUs (worker i on cuda:(i mod GPUs)).
std::vector<std::string> choose_pool_devices(const std::string& requested, int workers);

// How many GPUs LibTorch shows this process (0 without CUDA).
int visible_gpu_count();

// Ends the process's MPI life cleanly (rank 0 after its workers stopped).
void finish_mpi();

}  // namespace popsweep::orchestrator
