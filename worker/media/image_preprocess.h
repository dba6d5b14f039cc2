// M11 input preparation without LibTorch: resize to S x S and normalise into a
// float CHW array that the backbone code wraps in a tensor.
//
// The resize reproduces PIL's Image.resize(..., BILINEAR) on an RGB image, the
// path torchvision's transforms.Resize((224, 224)) takes for PIL input: a
// triangle filter whose support widens with the reduction factor (so it
// antialiases when shrinking), applied horizontally then vertically, with
// PIL's 22-bit fixed-point weights and 8-bit rounding between the two passes.
// On identical RGB input the result matches PIL byte for byte (a test checks
// this against PIL when it is installed). What can still differ from a
// torchvision run is the decoded input itself: OpenCV and PIL both use
// libjpeg-turbo, but a different library version or DCT setting changes a few
// pixel values by one.
#pragma once

#include <array>
#include <vector>

#include "worker/media/rgb_image.h"

namespace popsweep::media {

struct ChannelNormalization {
  std::array<float, 3> mean;
  std::array<float, 3> standard_deviation;
};

// The ImageNet statistics torchvision's pretrained weights expect.
inline constexpr ChannelNormalization kImageNetNormalization{{0.485f, 0.456f, 0.406f},
                                                             {0.229f, 0.224f, 0.225f}};

// PIL-compatible antialiased bilinear resize.
RgbImage resize_bilinear(const RgbImage& image, int width, int height);

// (value / 255 - mean[c]) / standard_deviation[c] in float, like ToTensor then
// Normalize; returns 3 planes of height x width, channel-major (CHW).
std::vector<float> normalize_to_chw(const RgbImage& image, const ChannelNormalization& normalization);

// M11: resize to size x size, then normalise.
std::vector<float> preprocess_image(const RgbImage& image, int size = 224,
                                    const ChannelNormalization& normalization = kImageNetNormalization);

}  // namespace popsweep::media
