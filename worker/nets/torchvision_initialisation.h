// Seeded random weights the way torchvision initialises its ImageNet
// backbones, for `weights: random`: convolutions kaiming_normal_(fan_out),
// batch norms at identity statistics, biases zero; the classifier differs by
// model, so the caller names its rule. Modules are visited in registration
// order, so the draws never depend on hash order.
#pragma once

#include <cstdint>

namespace torch::nn {
class Module;
}

namespace popsweep::nets {

enum class ClassifierInitialisation {
  kUniformByOutputs,  // EfficientNet: uniform(-1/sqrt(outputs), 1/sqrt(outputs))
  kNormal001,         // MobileNetV2: normal(0, 0.01)
};

void initialise_like_torchvision(torch::nn::Module& model, std::uint64_t seed, ClassifierInitialisation classifier);

}  // namespace popsweep::nets
