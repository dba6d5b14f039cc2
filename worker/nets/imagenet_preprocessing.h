// M11: backbone input from decoded RGB pixels, normalised as torchvision's
// ImageNet weights expect: x/255, minus mean (0.485, 0.456, 0.406), divided
// by std (0.229, 0.224, 0.225), per channel. Resizing to 224x224 happens in
// the decoder, before this.
#pragma once

#include <torch/torch.h>

#include <array>
#include <cstdint>

namespace popsweep::nets {

inline constexpr std::int64_t kBackboneImageSize = 224;
inline constexpr std::array<float, 3> kImageNetMean = {0.485f, 0.456f, 0.406f};
inline constexpr std::array<float, 3> kImageNetStd = {0.229f, 0.224f, 0.225f};

// `rgb`: `height` rows of `width` tightly packed RGB pixels. Returns a
// [1, 3, height, width] float32 CPU tensor (a copy).
torch::Tensor normalise_rgb_image(const std::uint8_t* rgb, std::int64_t height, std::int64_t width);

}  // namespace popsweep::nets
