#include <CLI/CLI.hpp>

#include <iostream>

#include "app/commands.h"
#include "orchestrator/status_report.h"
#include "storage/database.h"

namespace popsweep::app {

void add_status_command(CLI::App& app) {
  auto db_path = std::make_shared<std::string>();
  auto sweep = std::make_shared<std::string>();
  CLI::App* command = app.add_subcommand(
      "status",
      "The coordinator holding a database, and jobs per status, throughput, ETA and failures of its sweeps "
      "(safe while one runs)");
  command->add_option("--db", *db_path, "database")->required()->check(CLI::ExistingFile);
  command->add_option("--sweep", *sweep, "sweep name or id (default: all)");
  command->callback([db_path, sweep] {
    storage::Database db = storage::Database::open(*db_path, storage::Database::Access::ReadOnly);
    std::cout << orchestrator::describe_coordinator(db) << orchestrator::describe_status(db, *sweep);
  });
}

}  // namespace popsweep::app
