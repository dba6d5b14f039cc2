// Per-layer multiply-adds and time of EfficientNet-B0 on the frozen path
// (FrozenEfficientNetB0, the one the extractor runs), observed from outside:
// a global RecordFunction callback sees every top-level ATen op the forward
// pass calls, with its input shapes. Convolutions come in a fixed order
// (stem; per MBConv block: expand when present, depthwise, project; head),
// so the k-th conv2d names the layer, and the ops after it belong to that
// layer's block. This way the profile needs no hook inside the production
// code and counts exactly the convolutions and linear maps it runs.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "worker/nets/efficientnet_b0.h"

namespace popsweep::bench {

// One convolution of the network, in call order: its block ("features.3.1",
// torchvision's names) and its part of the block ("expand 1x1", "depthwise").
struct ConvLabel {
  std::string block;
  std::string part;
};

// The conv2d call order of FrozenEfficientNetB0 for `model`'s architecture.
std::vector<ConvLabel> frozen_conv_order(const nets::EfficientNetB0& model);

// Totals for one block or one part: multiply-adds and seconds summed over
// the recorded forward passes.
struct LayerTotals {
  double multiply_adds = 0;
  double seconds = 0;
  int calls = 0;
};

struct LayerProfile {
  // Keyed by block, in first-seen order through `block_order`.
  std::map<std::string, LayerTotals> by_block;
  std::vector<std::string> block_order;
  std::map<std::string, LayerTotals> by_part;
  std::map<std::string, LayerTotals> by_block_part;  // "block|part"
};

// Records the top-level ops of the calling thread while alive. Only one may
// exist at a time. Call begin_pass() before each forward pass.
class LayerRecorder {
 public:
  explicit LayerRecorder(std::vector<ConvLabel> conv_order);
  ~LayerRecorder();
  LayerRecorder(const LayerRecorder&) = delete;
  LayerRecorder& operator=(const LayerRecorder&) = delete;

  void begin_pass();
  const LayerProfile& profile() const { return profile_; }

  // Called by the RecordFunction callbacks.
  void op_started(const char* name, double multiply_adds);
  void op_ended(double seconds);

 private:
  std::vector<ConvLabel> conv_order_;
  std::size_t next_conv_ = 0;
  std::string block_ = "input";
  std::string part_ = "layout";
  LayerProfile profile_;
  double pending_multiply_adds_ = 0;
  std::uint64_t handle_ = 0;
};

}  // namespace popsweep::bench
