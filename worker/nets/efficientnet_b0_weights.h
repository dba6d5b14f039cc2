// Where EfficientNet-B0's weights come from: a weight file (torch.save archive
// or safetensors, e.g. torchvision's ImageNet weights fetched by
// scripts/fetch-weights), or "random": torchvision's initialisation drawn
// from a seeded generator, for tests and for runs without the download.
// Random weights make every feature meaningless for the method (M13 wants
// ImageNet-pretrained features), so choosing them logs a loud warning.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>

#include "worker/nets/efficientnet_b0.h"

namespace popsweep::nets {

inline constexpr const char* kRandomWeights = "random";

// torchvision's EfficientNet init (kaiming-normal fan-out convs, unit batch
// norms, uniform classifier), drawn from a CPU generator seeded with `seed`:
// the same seed gives the same weights on every machine and device.
void initialise_randomly(EfficientNetB0Impl& model, std::uint64_t seed);

// The model in eval mode on `device`, its weights read from `weights` (a path
// or kRandomWeights). Throws InputError for an unreadable or mismatched file.
EfficientNetB0 load_efficientnet_b0(const std::string& weights, std::uint64_t seed,
                                    const torch::Device& device);

}  // namespace popsweep::nets
