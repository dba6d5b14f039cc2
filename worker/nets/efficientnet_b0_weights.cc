#include "worker/nets/efficientnet_b0_weights.h"

#include <ATen/CPUGeneratorImpl.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>  // explicit, so the build gives this file the precompiled header

#include <cmath>

#include "worker/nets/state_dict_loader.h"
#include "worker/nets/torchvision_initialisation.h"
#include "worker/nets/weight_file.h"

namespace popsweep::nets {

void initialise_randomly(EfficientNetB0Impl& model, std::uint64_t seed) {
  initialise_like_torchvision(model, seed, ClassifierInitialisation::kUniformByOutputs);
}

EfficientNetB0 load_efficientnet_b0(const std::string& weights, std::uint64_t seed,
                                    const torch::Device& device) {
  EfficientNetB0 model;
  if (weights == kRandomWeights) {
    spdlog::warn(
        "EfficientNet-B0 has RANDOM weights (seed {}): its features are NOT ImageNet-pretrained, so "
        "duplicates, t-SNE maps and every model trained on them mean nothing for the method (M13). "
        "Fetch real weights with scripts/fetch-weights.",
        seed);
    initialise_randomly(*model, seed);
  } else {
    load_state_dict(*model, read_weight_file(weights), weights);
    spdlog::debug("EfficientNet-B0 weights loaded from {}", weights);
  }
  model->eval();
  model->to(device);
  return model;
}

}  // namespace popsweep::nets
