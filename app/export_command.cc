#include <CLI/CLI.hpp>
#include <iostream>

#include "app/commands.h"
#include "reports/sweep_export.h"
#include "storage/database.h"

namespace popsweep::app {

void add_export_command(CLI::App& app) {
  auto db_path = std::make_shared<std::string>();
  auto options = std::make_shared<reports::ExportOptions>();
  CLI::App* command = app.add_subcommand(
      "export", "A sweep's jobs, epochs, predictions and report cells as tidy CSV files (docs/SCHEMA.md)");
  command->add_option("--db", *db_path, "database")->required()->check(CLI::ExistingFile);
  command->add_option("--sweep", options->sweep,
                      "sweep name or id (default: the most recently updated sweep)");
  command
      ->add_option("--out", options->out_dir, "folder to write into (created; must be empty unless --force)")
      ->required();
  command->add_flag("--force", options->force,
                    "write into a folder that already holds files, replacing the export's");
  command->callback([db_path, options] {
    storage::Database db = storage::Database::open(*db_path, storage::Database::Access::ReadOnly);
    const reports::WrittenExport written = reports::export_sweep(db, *options);
    std::cout << "sweep '" << written.sweep_name << "': " << written.jobs << " jobs, " << written.predictions
              << " predictions\n";
    for (const std::string& file : written.files) std::cout << "wrote " << file << "\n";
  });
}

}  // namespace popsweep::app
