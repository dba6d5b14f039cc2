#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "app/commands.h"
#include "common/error.h"
#include "storage/database.h"
#include "worker/context/context_inputs.h"

namespace popsweep::app {

void add_context_command(CLI::App& app) {
  struct Options {
    std::string db_path;
    std::string time_zone = "UTC";
    int history_posts = 10;
    std::string out_path;
  };
  auto options = std::make_shared<Options>();
  CLI::App* command = app.add_subcommand(
      "context", "Write the context vector of every media item (posting time, caption, history) as CSV");
  command->add_option("--db", options->db_path, "database written by ingest")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("--time-zone", options->time_zone, "the profile's time zone (IANA name)")
      ->capture_default_str();
  command
      ->add_option("--history-posts", options->history_posts,
                   "earlier posts of the same media type in the popularity history")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  command->add_option("--out", options->out_path, "CSV file to write (default: standard output)");
  command->callback([options] {
    storage::Database db = storage::Database::open(options->db_path);
    context::ContextSettings settings;
    settings.time_zone = options->time_zone;
    settings.time_zone_key = "--time-zone";
    settings.history_posts = options->history_posts;
    const context::ContextInputs inputs = context::load_context_inputs(db);
    const std::vector<context::ContextRow> rows =
        context::compute_context(inputs.posts, inputs.followers, settings);
    if (options->out_path.empty()) {
      context::write_context_csv(std::cout, rows);
      return;
    }
    std::ofstream out(options->out_path, std::ios::binary);
    if (!out) throw ConfigError("cannot write " + options->out_path);
    context::write_context_csv(out, rows);
    if (!out.flush()) throw ConfigError("cannot write " + options->out_path);
  });
}

}  // namespace popsweep::app
