#include <CLI/CLI.hpp>
#include <iostream>

#include "app/commands.h"
#include "reports/report_writer.h"
#include "storage/database.h"

namespace popsweep::app {

void add_report_command(CLI::App& app) {
  auto db_path = std::make_shared<std::string>();
  auto sweep = std::make_shared<std::string>();
  auto out_dir = std::make_shared<std::string>();
  CLI::App* command = app.add_subcommand(
      "report",
      "Results tables (M19), charts and paired comparisons of a sweep as Markdown, HTML, CSV and JSON");
  command->add_option("--db", *db_path, "database")->required()->check(CLI::ExistingFile);
  command->add_option("--sweep", *sweep, "sweep name or id (default: the most recently updated sweep)");
  command->add_option("--out", *out_dir, "folder to write the report into (created)")->required();
  command->callback([db_path, sweep, out_dir] {
    storage::Database db = storage::Database::open(*db_path, storage::Database::Access::ReadOnly);
    const reports::WrittenReport report = reports::write_report(db, *sweep, *out_dir);
    std::cout << report.summary;
    for (const std::string& file : report.files) std::cout << "wrote " << file << "\n";
    if (!report.chart_files.empty()) {
      std::cout << "wrote " << report.chart_files.size() << " charts in " << *out_dir << "/charts\n";
    }
  });
}

}  // namespace popsweep::app
