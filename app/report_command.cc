#include <CLI/CLI.hpp>
#include <deque>
#include <iostream>

#include "app/commands.h"
#include "reports/report_writer.h"
#include "storage/database.h"

namespace popsweep::app {

void add_report_command(CLI::App& app) {
  auto db_paths = std::make_shared<std::vector<std::string>>();
  auto sweep = std::make_shared<std::string>();
  auto out_dir = std::make_shared<std::string>();
  auto draws = std::make_shared<int>(-1);
  CLI::App* command = app.add_subcommand(
      "report",
      "Results tables (M19), charts and paired comparisons of a sweep as Markdown, HTML, CSV and JSON");
  command
      ->add_option("--db", *db_paths,
                   "database; give --db several times to pool the databases of one study (one per profile or "
                   "per Slurm job) as if they were one")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("--sweep", *sweep, "sweep name or id (default: the most recently updated sweep)");
  command->add_option("--out", *out_dir, "folder to write the report into (created)")->required();
  command
      ->add_option("--resamples", *draws,
                   "bootstrap resamples and permutations per group for the intervals and p-values (default: 1000, "
                   "fewer on sweeps of over a million predictions, never under 100; 0: none)")
      ->check(CLI::NonNegativeNumber);
  command->callback([db_paths, sweep, out_dir, draws] {
    std::deque<storage::Database> databases;
    std::vector<storage::Database*> pooled;
    for (const std::string& path : *db_paths) {
      databases.push_back(storage::Database::open(path, storage::Database::Access::ReadOnly));
      pooled.push_back(&databases.back());
    }
    const reports::WrittenReport report = reports::write_report(pooled, *sweep, *out_dir, *draws);
    std::cout << report.summary;
    for (const std::string& file : report.files) std::cout << "wrote " << file << "\n";
    if (!report.chart_files.empty()) {
      std::cout << "wrote " << report.chart_files.size() << " charts in " << *out_dir << "/charts\n";
    }
  });
}

}  // namespace popsweep::app
