#include <CLI/CLI.hpp>

#include <iostream>

#include "app/commands.h"
#include "worker/data/ingest.h"

namespace popsweep::app {

void add_ingest_command(CLI::App& app) {
  auto options = std::make_shared<data::IngestOptions>();
  auto db_path = std::make_shared<std::string>();
  CLI::App* command = app.add_subcommand("ingest", "Load a profile directory into a database (M1, M10)");
  command->add_option("--profile", options->profile_dir, "profile directory")->required();
  command->add_option("--db", *db_path, "SQLite database to create or update")->required();
  command->add_option("--format", options->format, "input layout")
      ->check(CLI::IsMember({"popsweep", "instaloader"}))
      ->default_str("popsweep");
  command->add_option("--followers", options->followers_csv,
                      "date,followers CSV (required with --format instaloader)");
  command->add_option("--exclude", options->exclusion_list, "CSV of post_id,media_index[,reason] to drop (M10)");
  command->add_option("--name", options->name, "profile name (default: the directory's name)");
  command->callback([options, db_path] {
    std::cout << data::describe(data::ingest_profile(*options, *db_path));
  });
}

}  // namespace popsweep::app
