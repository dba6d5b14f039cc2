#include "worker/nets/torchvision_initialisation.h"

#include <torch/torch.h>

#include <cmath>

namespace popsweep::nets {

void initialise_like_torchvision(torch::nn::Module& model, std::uint64_t seed, ClassifierInitialisation classifier) {
  torch::NoGradGuard no_grad;
  at::Generator generator = at::detail::createCPUGenerator(seed);
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
      if (classifier == ClassifierInitialisation::kUniformByOutputs) {
        const double range = 1.0 / std::sqrt(static_cast<double>(linear->weight.size(0)));
        linear->weight.uniform_(-range, range, generator);
      } else {
        linear->weight.normal_(0.0, 0.01, generator);
      }
      linear->bias.zero_();
    }
  }
}

}  // namespace popsweep::nets
