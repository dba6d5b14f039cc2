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
  auto draws = std::make_shared<int>(-1);
  CLI::App* command = app.add_subcommand(
      "report",
      "Results tables (M19), charts and paired comparisons of a sweep as Markdown, HTML, CSV and JSON");
  command->add_option("--db", *db_path, "database")->required()->check(CLI::ExistingFile);
  command->add_option("--sweep", *sweep, "sweep name or id (default: the most recently updated sweep)");
  command->add_option("--out", *out_dir, "folder to write the report into (created)")->required();
  command
      ->add_option("--resamples", *draws,
                   "bootstrap resamples and permutations per group for the intervals and p-values (default: 1000, "
                   "fewer on sweeps of over a million predictions, never under 100; 0: none)")
      ->check(CLI::NonNegativeNumber);
  command->callback([db_path, sweep, out_dir, draws] {
    storage::Database db = storage::Database::open(*db_path, storage::Database::Access::ReadOnly);
    const reports::WrittenReport report = reports::write_report(db, *sweep, *out_dir, *draws);
    std::cout << report.summary;
    for (const std::string& file : report.files) std::cout << "wrote " << file << "\n";
    if (!report.chart_files.empty()) {
      std::cout << "wrote " << report.chart_files.size() << " charts in " << *out_dir << "/charts\n";
    }
  });
}

}  // namespace popsweep::app
