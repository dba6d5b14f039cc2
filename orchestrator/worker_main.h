// Entry points of a worker process: a local pool child (`popsweep worker
// --channel-fd N`, started by the coordinator) or an MPI rank other than 0.
#pragma once

#include "orchestrator/stage_executor.h"

namespace popsweep::orchestrator {

class MpiWorld;

void run_local_worker(int channel_fd, const WorkerEnvironment& environment);
void run_mpi_worker(MpiWorld& world, const WorkerEnvironment& environment);

// "host pid N, cpu, 2 threads": how a worker introduces itself.
std::string describe_worker(const WorkerEnvironment& environment);

// What the scheduler needs to place the worker in a gang: its node (host
// name), the address its gang's collectives reach it at (gang_address.h:
// POPSWEEP_GANG_ADDRESS when set, for a node whose host name resolves to the
// wrong interface; else the host name, or an interface's address where the
// host name does not resolve), its device and how many GPUs it sees.
nlohmann::json hello_fields(const WorkerEnvironment& environment, int visible_gpus);

}  // namespace popsweep::orchestrator
