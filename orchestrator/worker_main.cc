#include "orchestrator/worker_main.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "orchestrator/gang_address.h"
#include "orchestrator/launch.h"
#include "orchestrator/local_pool_transport.h"
#include "orchestrator/mpi_transport.h"
#include "orchestrator/signals.h"
#include "orchestrator/worker_loop.h"

namespace popsweep::orchestrator {

std::string describe_worker(const WorkerEnvironment& environment) {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return std::string(host) + " pid " + std::to_string(::getpid()) + ", " + environment.device + ", " +
         std::to_string(environment.threads) + " thread(s)";
}

nlohmann::json hello_fields(const WorkerEnvironment& environment, int visible_gpus) {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  const GangAddress address = gang_address_of_this_host(host);
  if (!address.why_not_the_host_name.empty()) {
    std::fprintf(stderr, "popsweep: worker on %s: %s; its gangs meet at %s (POPSWEEP_GANG_ADDRESS sets it)\n",
                 host, address.why_not_the_host_name.c_str(), address.address.c_str());
  }
  return {{"node", host},
          {"address", address.address},
          {"device", environment.device},
          {"gpus", visible_gpus}};
}

void run_local_worker(int channel_fd, const WorkerEnvironment& environment) {
  SocketWorkerChannel channel(channel_fd);
  std::unique_ptr<StageExecutor> executor = make_worker_executor(environment);
  WorkerLoopOptions options;
  options.description = describe_worker(environment);
  options.hello = hello_fields(environment, visible_gpu_count());
  options.stop_signal = &install_stop_signal_handlers();
  run_worker_loop(channel, *executor, options);
}

void run_mpi_worker(MpiWorld& world, const WorkerEnvironment& environment) {
  MpiWorkerChannel channel(world);
  std::unique_ptr<StageExecutor> executor = make_worker_executor(environment);
  WorkerLoopOptions options;
  options.description = "rank " + std::to_string(world.rank()) + ", " + describe_worker(environment);
  options.hello = hello_fields(environment, visible_gpu_count());
  options.stop_signal = &install_stop_signal_handlers();
  run_worker_loop(channel, *executor, options);
}

}  // namespace popsweep::orchestrator
