// How many blocks each backbone has (torch-free, for the spec's checks of
// train.finetune_blocks): EfficientNet-B0's MBConv blocks (1+2+2+3+3+4+1)
// and MobileNetV2's inverted residuals (1+2+3+4+3+3+1). The architecture
// tables (efficientnet_b0.h, mobilenet_v2_architecture.h) sum to the same,
// which a unit test checks.
#pragma once

#include <string>

namespace popsweep::nets {

inline constexpr int kEfficientNetB0Blocks = 16;
inline constexpr int kMobileNetV2Blocks = 17;

// The most train.finetune_blocks may unfreeze. ConfigError for an unknown backbone.
int backbone_block_count(const std::string& backbone);

}  // namespace popsweep::nets
