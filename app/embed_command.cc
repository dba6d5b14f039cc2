// popsweep embed: one image's backbone feature (M11, M13), to check weights
// and preprocessing against torchvision.

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/commands.h"
#include "common/error.h"
#include "worker/media/image_decoder.h"
#include "worker/media/image_preprocess.h"
#include "worker/nets/image_embedder.h"

namespace popsweep::app {
namespace {

constexpr int kInputSize = 224;  // M11

// RGB, resized to 224x224 the way PIL's bilinear resize does it (M11), so
// the feature matches a torchvision pipeline fed the same file.
media::RgbImage decode_rgb(const std::string& path) {
  return media::resize_bilinear(media::decode_image_file(path), kInputSize, kInputSize);
}

}  // namespace

void add_embed_command(CLI::App& app) {
  struct Options {
    nets::ImageEmbedderSettings settings;
    std::string image_path;
    bool json = false;
    bool reference = false;
    int threads = 0;
  };
  auto options = std::make_shared<Options>();
  CLI::App* command = app.add_subcommand("embed", "Print one image's backbone feature (M11, M13)");
  command->add_option("--backbone", options->settings.backbone, "backbone architecture")
      ->check(CLI::IsMember({"efficientnet_b0"}))
      ->capture_default_str();
  command
      ->add_option("--weights", options->settings.weights,
                   "weight file (torch.save archive or safetensors), or 'random' (not pretrained!)")
      ->required();
  command->add_option("--seed", options->settings.seed, "seed for --weights random")->capture_default_str();
  command->add_option("--image", options->image_path, "image file")->required()->check(CLI::ExistingFile);
  command->add_option("--device", options->settings.device, "cpu, cuda or cuda:N")->capture_default_str();
  command->add_option("--threads", options->threads, "compute threads; 0 = one per core")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  command->add_flag("--json", options->json, "print a JSON object instead of bare numbers");
  command->add_flag("--reference", options->reference,
                    "run the unfolded module instead of the folded channels-last path (for cross-checks)");
  command->callback([options] {
    nets::set_compute_threads(options->threads);
    options->settings.fold_batch_norm = !options->reference;
    const nets::ImageEmbedder embedder(options->settings);
    const media::RgbImage rgb = decode_rgb(options->image_path);
    const std::vector<float> feature = embedder.embed({rgb.pixels.data(), rgb.width, rgb.height});
    if (options->json) {
      const nlohmann::json output = {
          {"backbone", options->settings.backbone}, {"weights", options->settings.weights},
          {"pretrained", embedder.pretrained()},    {"path", options->reference ? "reference" : "folded"},
          {"image", options->image_path},           {"feature", feature}};
      std::cout << output.dump() << "\n";
    } else {
      for (std::size_t i = 0; i < feature.size(); ++i)
        std::printf(i + 1 < feature.size() ? "%.9g " : "%.9g\n", feature[i]);
    }
  });
}

}  // namespace popsweep::app
