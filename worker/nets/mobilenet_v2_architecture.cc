#include "worker/nets/mobilenet_v2_architecture.h"

namespace popsweep::nets {

const std::vector<InvertedResidualSetting>& mobilenet_v2_settings() {
  // torchvision's inverted_residual_setting for width 1.0.
  static const std::vector<InvertedResidualSetting> settings = {
      {1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2},  {6, 64, 4, 2},
      {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1},
  };
  return settings;
}

std::vector<MobileNetV2ConvLayer> mobilenet_v2_conv_layers() {
  std::vector<MobileNetV2ConvLayer> layers;
  layers.push_back(
      {"features.0.0", "features.0.1", 3, kMobileNetV2StemChannels, 3, 2, false, true, false, false});
  std::int64_t in_channels = kMobileNetV2StemChannels;
  int feature = 1;
  for (const InvertedResidualSetting& setting : mobilenet_v2_settings()) {
    for (std::int64_t repeat = 0; repeat < setting.repeats; ++repeat, ++feature) {
      const std::int64_t stride = repeat == 0 ? setting.stride : 1;
      const bool residual = stride == 1 && in_channels == setting.out_channels;
      const std::int64_t hidden = in_channels * setting.expand_ratio;
      const std::string prefix = "features." + std::to_string(feature) + ".conv.";
      // torchvision leaves the expansion out when the ratio is 1, shifting the indices down by one.
      int index = 0;
      if (setting.expand_ratio != 1) {
        layers.push_back(
            {prefix + "0.0", prefix + "0.1", in_channels, hidden, 1, 1, false, true, residual, false});
        index = 1;
      }
      const std::string depthwise = prefix + std::to_string(index);
      layers.push_back({depthwise + ".0", depthwise + ".1", hidden, hidden, 3, stride, true, true,
                        residual && setting.expand_ratio == 1, false});
      layers.push_back({prefix + std::to_string(index + 1), prefix + std::to_string(index + 2), hidden,
                        setting.out_channels, 1, 1, false, false, false, residual});
      in_channels = setting.out_channels;
    }
  }
  const std::string head = "features." + std::to_string(feature);
  layers.push_back(
      {head + ".0", head + ".1", in_channels, kMobileNetV2FeatureChannels, 1, 1, false, true, false, false});
  return layers;
}

}  // namespace popsweep::nets
