#include "worker/nets/efficientnet_b0_weights.h"

#include <ATen/CPUGeneratorImpl.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>  // explicit, so the build gives this file the precompiled header

#include <cmath>

#include "worker/nets/state_dict_loader.h"
#include "worker/nets/weight_file.h"

namespace popsweep::nets {

void initialise_randomly(EfficientNetB0Impl& model, std::uint64_t seed) {
  torch::NoGradGuard no_grad;
  at::Generator generator = at::detail::createCPUGenerator(seed);
  // Modules in registration order, so the draws never depend on hash order.
  for (const auto& item : model.named_modules()) {
    torch::nn::Module& module = *item.value();
    if (auto* conv = module.as<torch::nn::Conv2d>()) {
      // kaiming_normal_(mode="fan_out") with its default gain sqrt(2).
      const double fan_out =
          static_cast<double>(conv->weight.size(0) * conv->weight.size(2) * conv->weight.size(3));
      conv->weight.normal_(0.0, std::sqrt(2.0 / fan_out), generator);
      if (conv->bias.defined()) conv->bias.zero_();
    } else if (auto* batch_norm = module.as<torch::nn::BatchNorm2d>()) {
      batch_norm->reset_parameters();  // weight 1, bias 0, running mean 0, variance 1
    } else if (auto* linear = module.as<torch::nn::Linear>()) {
      const double range = 1.0 / std::sqrt(static_cast<double>(linear->weight.size(0)));
      linear->weight.uniform_(-range, range, generator);
      linear->bias.zero_();
    }
  }
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
