#include <CLI/CLI.hpp>

#include "app/commands.h"
#include "orchestrator/worker_main.h"

namespace popsweep::app {

void add_worker_command(CLI::App& app) {
  auto fd = std::make_shared<int>(-1);
  auto environment = std::make_shared<orchestrator::WorkerEnvironment>();
  CLI::App* command = app.add_subcommand(
      "worker", "Run as a worker of a local pool (started by `popsweep run`; not for direct use)");
  command->group("");  // hidden from --help: users never type it
  command->add_option("--channel-fd", *fd, "socket to the coordinator")->required();
  command->add_option("--threads", environment->threads, "intra-op threads");
  command->add_option("--device", environment->device, "cpu or cuda:N");
  command->callback([fd, environment] { orchestrator::run_local_worker(*fd, *environment); });
}

}  // namespace popsweep::app
