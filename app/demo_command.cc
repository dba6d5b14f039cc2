#include <CLI/CLI.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "app/commands.h"
#include "app/embedded_spec.h"
#include "common/error.h"
#include "orchestrator/status_report.h"
#include "orchestrator/sweep_runner.h"
#include "reports/report_writer.h"
#include "storage/database.h"

namespace popsweep::app {
namespace {

struct DemoOptions {
  std::string output_dir = "demo";
  std::vector<std::string> overrides;
};

// The whole pipeline on the embedded quick spec: a tiny synthetic profile is
// generated beside the database, ingested, labelled, embedded, cleaned of
// duplicates and trained on, and the report is written; running it again
// resumes (or does nothing but write the report).
void run_demo(const DemoOptions& options) {
  std::filesystem::create_directories(options.output_dir);
  const std::string spec_path = options.output_dir + "/quick.yaml";
  {
    std::ofstream spec(spec_path);
    spec << kQuickSpecYaml;
    if (!spec) throw Error("cannot write " + spec_path);
  }
  orchestrator::RunOptions run;
  run.spec_path = spec_path;
  run.overrides = options.overrides;
  run.database = options.output_dir + "/popsweep.db";
  const int code = orchestrator::run_sweep(run, std::cout);
  storage::Database db = storage::Database::open(run.database);
  std::cout << "\n" << orchestrator::describe_status(db, "quick");
  const reports::WrittenReport report = reports::write_report(db, "quick", options.output_dir + "/report");
  std::cout << "\n" << report.summary << "\nReport: " << options.output_dir << "/report/report.html\n";
  if (code != 0) std::exit(code);
}

}  // namespace

void add_demo_command(CLI::App& app) {
  auto options = std::make_shared<DemoOptions>();
  CLI::App* command = app.add_subcommand(
      "demo", "Run the whole pipeline on a generated tiny profile with the built-in quick spec "
              "(experiments/quick.yaml); no network, no input files");
  command->add_option("--out", options->output_dir, "directory for the profile, database and spec")
      ->default_str("demo");
  command->add_option("overrides", options->overrides, "KEY=VALUE overrides of the quick spec, e.g. train.epochs=2");
  command->callback([options] { run_demo(*options); });
}

}  // namespace popsweep::app
