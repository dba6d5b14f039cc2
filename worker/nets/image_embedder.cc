#include "worker/nets/image_embedder.h"

#include <torch/torch.h>

#include <optional>
#include <thread>

#include "common/error.h"
#include "worker/nets/efficientnet_b0_weights.h"
#include "worker/nets/frozen_efficientnet_b0.h"
#include "worker/nets/imagenet_preprocessing.h"

namespace popsweep::nets {

struct ImageEmbedder::Model {
  torch::Device device;
  EfficientNetB0 reference;
  std::optional<FrozenEfficientNetB0> frozen;
};

ImageEmbedder::ImageEmbedder(const ImageEmbedderSettings& settings)
    : pretrained_(settings.weights != kRandomWeights) {
  if (settings.backbone != "efficientnet_b0")
    throw ConfigError("unknown backbone '" + settings.backbone + "'");
  if (settings.weights.empty()) throw ConfigError("no backbone weights given (a file, or 'random')");
  std::optional<torch::Device> device;
  try {
    device.emplace(settings.device);
  } catch (const c10::Error&) {
    throw ConfigError("bad device '" + settings.device + "' (expected cpu, cuda or cuda:N)");
  }
  if (device->is_cuda() && !torch::cuda::is_available()) {
    throw ConfigError("device '" + settings.device + "' asked for, but this LibTorch sees no CUDA device");
  }
  EfficientNetB0 model = load_efficientnet_b0(settings.weights, settings.seed, *device);
  model_ = std::make_unique<Model>(Model{*device, model, std::nullopt});
  if (settings.fold_batch_norm) model_->frozen.emplace(model, FrozenBackboneOptions{*device, true});
}

ImageEmbedder::~ImageEmbedder() = default;

std::vector<float> ImageEmbedder::embed(const RgbImageView& image) const {
  if (image.pixels == nullptr || image.width <= 0 || image.height <= 0)
    throw Error("empty image given to the backbone");
  const torch::Tensor input = normalise_rgb_image(image.pixels, image.height, image.width);
  torch::Tensor feature;
  if (model_->frozen) {
    feature = model_->frozen->embed(input);
  } else {
    torch::NoGradGuard no_grad;
    feature = model_->reference->embed(input.to(model_->device));
  }
  const torch::Tensor values = feature.to(torch::kCPU, torch::kFloat32).contiguous().view({-1});
  return std::vector<float>(values.data_ptr<float>(), values.data_ptr<float>() + values.numel());
}

void set_compute_threads(int threads) {
  if (threads < 0) throw ConfigError("thread count must not be negative");
  const unsigned hardware = std::thread::hardware_concurrency();
  torch::set_num_threads(threads > 0 ? threads : static_cast<int>(hardware > 0 ? hardware : 1));
}

}  // namespace popsweep::nets
