#include <CLI/CLI.hpp>

#include <iostream>

#include "app/commands.h"
#include "storage/database.h"
#include "worker/data/label_summary.h"
#include "worker/data/labeler.h"

namespace popsweep::app {

void add_label_command(CLI::App& app) {
  struct Options {
    std::string db_path;
    int classes = 2;
    double window_weeks = 8;
    std::string mode = "centered";
    int fit_points = 8;
    std::string csv_path;
  };
  auto options = std::make_shared<Options>();
  CLI::App* command = app.add_subcommand("label", "Compute popularity rates and classes (M1-M6)");
  command->add_option("--db", options->db_path, "database written by ingest")->required()->check(CLI::ExistingFile);
  command->add_option("--classes", options->classes, "number of popularity classes K (M4)")
      ->check(CLI::Range(2, 100))
      ->capture_default_str();
  command->add_option("--window-weeks", options->window_weeks, "rolling window length in weeks (M5)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--mode", options->mode, "centered, trailing or global window (M5)")
      ->check(CLI::IsMember({"centered", "trailing", "global"}))
      ->capture_default_str();
  command->add_option("--follower-fit-points", options->fit_points,
                      "follower samples in the log-linear extrapolation (M2)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  command->add_option("--csv", options->csv_path, "also write every label to this CSV");
  command->callback([options] {
    storage::Database db = storage::Database::open(options->db_path);
    data::LabelSettings settings;
    settings.classes.classes = options->classes;
    settings.classes.window_weeks = options->window_weeks;
    settings.classes.mode = data::parse_window_mode(options->mode);
    settings.follower_fit_points = options->fit_points;
    const data::LabelRun run = data::label_profile(db, settings);
    if (!options->csv_path.empty()) data::write_labels_csv(options->csv_path, run.items);
    std::cout << data::describe(data::summarize_labels(run.items, options->classes));
  });
}

}  // namespace popsweep::app
