// Where MobileNetV2's weights come from, and what they expect of the input:
//   - a safetensors file written by `popsweep weights import --tflite`
//     (tflite_import.h): its metadata says TensorFlow SAME padding, 1001
//     classes and the input normalisation taken from the TFLite input tensor
//     (mean = std = 128/255 for the Coral quantised model);
//   - torchvision's state dict (torch.save archive or safetensors without that
//     metadata): symmetric padding, the class count of classifier.1, ImageNet
//     mean/std;
//   - "builtin:mobilenet_v2" (builtin_weights.h): the Coral ImageNet model
//     compiled into the binary, imported in memory as `popsweep weights
//     import` would write it, so it loads exactly like the file it imports;
//   - "random": torchvision's initialisation from a seeded generator, 1000
//     classes, ImageNet mean/std; logs a loud warning.
#pragma once

#include <torch/torch.h>

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "worker/nets/mobilenet_v2.h"

namespace popsweep::nets {

// A weight file's classifier head sets the number of classes of the module
// built for it; more than this (ImageNet-21k has 21,841) is refused.
constexpr std::int64_t kMaxClassifierClasses = 100000;

struct LoadedMobileNetV2 {
  MobileNetV2 model{nullptr};  // eval mode, on the requested device
  std::array<float, 3> input_mean{};
  std::array<float, 3> input_std{};
  std::int64_t input_size = 224;
  bool random_weights = false;
};

// torchvision's MobileNetV2 init (kaiming-normal fan-out convs, unit batch
// norms, normal(0, 0.01) classifier), drawn from a CPU generator seeded with `seed`.
void initialise_randomly(MobileNetV2Impl& model, std::uint64_t seed);

// Throws InputError for an unreadable or mismatched file, ConfigError for an
// unknown builtin.
LoadedMobileNetV2 load_mobilenet_v2(const std::string& weights, std::uint64_t seed,
                                    const torch::Device& device);

}  // namespace popsweep::nets
