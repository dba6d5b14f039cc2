#include "orchestrator/launch.h"

#include <cstdlib>
#include <thread>

#include "orchestrator/local_pool_transport.h"
#include "orchestrator/mpi_transport.h"

namespace popsweep::orchestrator {
namespace {

MpiWorld* g_world = nullptr;  // set once, before any thread exists

}  // namespace

MpiWorld* start_mpi_if_launched(int* argc, char*** argv) {
  if (!g_world && launched_by_mpi_with_several_ranks()) g_world = &MpiWorld::initialise(argc, argv);
  return g_world;
}

MpiWorld* mpi_world() { return g_world; }

WorkerLayout choose_worker_layout(int requested_workers, int requested_threads) {
  const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  WorkerLayout layout;
  // Small heads train fastest with one or two threads each, so by default
  // every two cores get a worker; one core still gets one.
  layout.workers = requested_workers > 0 ? requested_workers : std::max(1, cores / 2);
  layout.threads_per_worker = requested_threads > 0 ? requested_threads : std::max(1, cores / layout.workers);
  return layout;
}

std::vector<std::string> worker_process_environment(const WorkerLayout& layout, int cores,
                                                    const char* user_wait_policy) {
  const bool oversubscribed = layout.workers * layout.threads_per_worker > cores;
  if (!oversubscribed || user_wait_policy != nullptr) return {};
  return {"OMP_WAIT_POLICY=PASSIVE"};
}

std::unique_ptr<CoordinatorTransport> make_coordinator_transport(
    const WorkerLayout& layout, const std::vector<std::string>& pool_devices) {
  if (g_world) return std::make_unique<MpiCoordinatorTransport>(*g_world);
  WorkerCommand command;
  command.executable = "/proc/self/exe";
  command.arguments = {"worker", "--threads", std::to_string(layout.threads_per_worker)};
  command.environment = worker_process_environment(
      layout, static_cast<int>(std::thread::hardware_concurrency()), std::getenv("OMP_WAIT_POLICY"));
  return std::make_unique<LocalPoolTransport>(layout.workers, command, pool_devices);
}

void finish_mpi() {
  if (g_world) g_world->finalise();
}

}  // namespace popsweep::orchestrator
