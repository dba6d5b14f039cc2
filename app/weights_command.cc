// popsweep weights import: a TFLite MobileNetV2 to a safetensors file that
// `--backbone mobilenet_v2 --weights FILE` loads (tflite_import.h).

#include <CLI/CLI.hpp>
#include <iostream>

#include "app/commands.h"
#include "worker/nets/tflite_import.h"

namespace popsweep::app {

void add_weights_command(CLI::App& app) {
  auto tflite = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  CLI::App* command = app.add_subcommand("weights", "Convert backbone weight files");
  command->require_subcommand(1);
  CLI::App* import = command->add_subcommand(
      "import",
      "Import a TFLite MobileNetV2 (quantised or float) as float32 safetensors with torchvision's names");
  import->add_option("--tflite", *tflite, "the .tflite model")->required()->check(CLI::ExistingFile);
  import->add_option("--out", *out, "the safetensors file to write")->required();
  import->callback([tflite, out] { std::cout << nets::import_tflite_to_safetensors(*tflite, *out) << "\n";
});
}  // namespace popsweep::app

}  // namespace popsweep::app
