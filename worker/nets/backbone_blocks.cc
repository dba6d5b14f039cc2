#include "worker/nets/backbone_blocks.h"

#include "common/error.h"

namespace popsweep::nets {

int backbone_block_count(const std::string& backbone) {
  if (backbone == "efficientnet_b0") return kEfficientNetB0Blocks;
  if (backbone == "mobilenet_v2") return kMobileNetV2Blocks;
  throw ConfigError("unknown backbone '" + backbone + "' (known: efficientnet_b0, mobilenet_v2)");
}

}  // namespace popsweep::nets
