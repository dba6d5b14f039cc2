// popsweep classify: one image's top ImageNet classes, to check imported
// weights and their preprocessing end to end (M13).

#include <CLI/CLI.hpp>
#include <cstdio>

#include "app/commands.h"
#include "worker/media/image_decoder.h"
#include "worker/media/image_preprocess.h"
#include "worker/nets/builtin_weights.h"
#include "worker/nets/mobilenet_v2_classifier.h"

namespace popsweep::app {

void add_classify_command(CLI::App& app) {
  struct Options {
    std::string backbone = "mobilenet_v2";
    std::string weights;
    std::string labels;
    std::string image;
    std::string device = "cpu";
    int top = 5;
  };
  auto options = std::make_shared<Options>();
  CLI::App* command = app.add_subcommand("classify", "Print an image's top ImageNet classes");
  command->add_option("--backbone", options->backbone, "backbone architecture")
      ->check(CLI::IsMember({"mobilenet_v2"}))
      ->capture_default_str();
  const CLI::Validator builtin(
      [](std::string& weights) {
        return nets::is_builtin_weights(weights) ? std::string() : "not builtin:NAME";
      },
      "builtin:NAME");
  command
      ->add_option("--weights", options->weights,
                   "weight file (e.g. from `popsweep weights import`), or builtin:mobilenet_v2")
      ->required()
      ->check(CLI::ExistingFile | builtin);
  command->add_option("--labels", options->labels, "class names, one a line, line 1 = class 0")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("--image", options->image, "image file")->required()->check(CLI::ExistingFile);
  command->add_option("--top", options->top, "how many classes to print")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  command->add_option("--device", options->device, "cpu, cuda or cuda:N")->capture_default_str();
  command->callback([options] {
    const nets::MobileNetV2Classifier classifier(options->weights, options->device);
    const std::vector<std::string> labels = nets::read_class_labels(options->labels);
    const int size = classifier.input_size();
    // Resized like PIL's bilinear (M11), normalised as the weights' metadata says.
    const media::RgbImage image =
        media::resize_bilinear(media::decode_image_file(options->image), size, size);
    const std::vector<float> chw =
        media::normalize_to_chw(image, {classifier.input_mean(), classifier.input_std()});
    for (const nets::ClassScore& score : classifier.top_classes(chw, labels, options->top)) {
      std::printf("%.4f  %4d  %s\n", score.probability, score.index, score.label.c_str());
    }
  });
}

}  // namespace popsweep::app
