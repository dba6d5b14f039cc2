#include <CLI/CLI.hpp>

#include <iostream>

#include "app/commands.h"
#include "orchestrator/spec.h"
#include "orchestrator/spec_loader.h"
#include "orchestrator/spec_schema.h"

namespace popsweep::app {

void add_spec_command(CLI::App& app) {
  struct Options {
    std::string file;
    std::vector<std::string> overrides;
    bool markdown = false;
  };
  auto options = std::make_shared<Options>();
  CLI::App* command = app.add_subcommand(
      "spec", "Check an experiment spec and print its resolved values, or print every key (--markdown)");
  command->add_option("file", options->file, "experiment spec (YAML)");
  command->add_option("overrides", options->overrides, "KEY=VALUE overrides, as for `popsweep run`");
  command->add_flag("--markdown", options->markdown, "print the table of every key (docs/SPEC.md)");
  command->callback([options] {
    if (options->markdown) {
      std::cout << orchestrator::spec_schema_markdown();
      return;
    }
    if (options->file.empty()) throw CLI::ValidationError("spec", "give a spec file or --markdown");
    const orchestrator::LoadedSpec spec = orchestrator::load_spec_file(options->file, options->overrides);
    orchestrator::make_spec(spec.values, spec.source);
    for (const auto& [path, value] : spec.values) std::cout << path << ": " << orchestrator::format_spec_value(value) << "\n";
    for (const orchestrator::SweepAxis& axis : spec.sweep) {
      std::cout << "sweep " << axis.path << ":";
      for (const orchestrator::SpecValue& value : axis.values) std::cout << " " << orchestrator::format_spec_value(value);
      std::cout << "\n";
    }
    std::cout << orchestrator::expand_sweep_points(spec).size() << " sweep point(s)\n";
  });
}

}  // namespace popsweep::app
