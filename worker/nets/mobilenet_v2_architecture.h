// MobileNetV2 (Sandler et al. 2018, width 1.0) as torchvision's mobilenet_v2
// lays it out, without LibTorch: the inverted-residual table and every
// convolution in execution order under its torchvision state-dict name. Both
// the LibTorch module (mobilenet_v2.h) and the TFLite importer
// (tflite_import.h) are built from this one description, so the importer's
// tensor names and shapes cannot drift from the module's.
//
//   features.0           conv 3x3/2 3->32, batch norm, ReLU6      (.0 conv, .1 norm)
//   features.1           depthwise 3x3 32, project 1x1 32->16     (conv.0.0/.0.1, conv.1, conv.2)
//   features.2-17        expand 1x1, depthwise 3x3, project 1x1   (conv.0.0/.0.1, conv.1.0/.1.1, conv.2,
//   conv.3) features.18          conv 1x1 320->1280, batch norm, ReLU6    (.0 conv, .1 norm) classifier.1
//   linear 1280 -> classes (classifier.0 is dropout)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace popsweep::nets {

inline constexpr std::int64_t kMobileNetV2FeatureChannels = 1280;
inline constexpr std::int64_t kMobileNetV2StemChannels = 32;

// One row of the paper's Table 2: expansion t, output channels c, repeats n, stride s.
struct InvertedResidualSetting {
  std::int64_t expand_ratio;
  std::int64_t out_channels;
  std::int64_t repeats;
  std::int64_t stride;
};
const std::vector<InvertedResidualSetting>& mobilenet_v2_settings();

// One convolution followed by a batch norm: torchvision names the conv's
// weight "<conv_name>.weight" and the norm's tensors "<norm_name>.weight", ...
struct MobileNetV2ConvLayer {
  std::string conv_name;
  std::string norm_name;
  std::int64_t in_channels;
  std::int64_t out_channels;
  std::int64_t kernel;
  std::int64_t stride;
  bool depthwise;
  bool relu6;  // false for an inverted residual's linear projection
  // The first conv of an inverted residual with a skip connection: its input
  // is added to the block's output.
  bool starts_residual;
  // The projection ending such a block: the addition follows it.
  bool ends_residual;
};

// All 52 convolutions, features.0 to features.18, in execution order.
std::vector<MobileNetV2ConvLayer> mobilenet_v2_conv_layers();

}  // namespace popsweep::nets
