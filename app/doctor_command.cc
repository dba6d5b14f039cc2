#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "storage/checkpoint_file_check.h"
#include "storage/consistency_check.h"
#include "storage/database.h"
#include "worker/features/feature_set_key.h"

namespace popsweep::app {

void add_doctor_command(CLI::App& app) {
  auto db_path = std::make_shared<std::string>();
  auto repair = std::make_shared<bool>(false);
  CLI::App* command = app.add_subcommand(
      "doctor", "Check a database: SQLite's integrity check and popsweep's consistency rules, with repairs");
  command->add_option("--db", *db_path, "database")->required()->check(CLI::ExistingFile);
  command->add_flag("--repair", *repair, "fix what can be fixed (the next `popsweep run` recomputes it)");
  command->callback([db_path, repair] {
    storage::Database db = storage::Database::open(*db_path, *repair ? storage::Database::Access::ReadWrite
                                                                     : storage::Database::Access::ReadOnly);
    // Extraction jobs name their feature set by their "features" params.
    const storage::FeatureSetOfExtraction feature_set_of_extraction = [](const std::string& params) {
      return features::feature_set_key(nlohmann::json::parse(params).at("features"));
    };
    // The checkpoint files first: a repair that deletes a row whose file is
    // lost leaves a job without its kept model, which check_database resets.
    std::vector<storage::Finding> findings = storage::check_checkpoint_files(db, *repair);
    for (storage::Finding& finding : storage::check_database(db, *repair, feature_set_of_extraction))
      findings.push_back(std::move(finding));
    std::cout << storage::describe(findings);
    for (const storage::Finding& f : findings) {
      if (f.severity == "error" && !f.repaired) std::exit(1);
    }
  });
}

}  // namespace popsweep::app
