// Fine-tuning (issue 20, `train.finetune_blocks: k`): the backbone cut in
// two at the input of its k-th block from the end.
//
//   frozen prefix   the stem and every block before the cut, run for
//                   inference like any frozen backbone; its "embedding" of an
//                   image is the activation at the cut, flattened [C*H*W].
//   trainable tail  the last k blocks (EfficientNet-B0's MBConv blocks, 16 in
//                   all; MobileNetV2's inverted residuals, 17), the 1x1 conv
//                   to 1280 channels after them, and the global average:
//                   [N, C*H*W] -> [N, 1280], differentiable.
//
// Batch norms stay frozen in the tail: always in eval mode (their running
// statistics are the pretrained ones and never updated; a batch of a few
// images, or a rank's share of one, would give noisy statistics and ranks
// would disagree), and their scale and shift are frozen too, so only the
// convolutions (and squeeze-excitation) learn, and a stored tail's batch
// norms are byte for byte the backbone's. Random backbone weights scale the
// tail's output to unit RMS, as the frozen backbone does (backbone.h).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "worker/nets/backbone.h"
#include "worker/nets/backbone_blocks.h"

namespace popsweep::nets {

// What builds a tail again from its stored weights.
struct TailDescription {
  std::string backbone = "efficientnet_b0";  // or "mobilenet_v2"
  int blocks = 1;
  bool tensorflow_padding = false;        // MobileNetV2 imported from TFLite (mobilenet_v2.h)
  std::vector<std::int64_t> input_shape;  // [C, H, W] at the cut
  bool unit_rms = false;                  // random backbone weights
  std::int64_t input_width() const;       // C * H * W
};

class BackboneTailImpl : public torch::nn::Module {
 public:
  // Fresh layers (arbitrary weights: load or copy them). The description is
  // also a buffer ("description"), so saved weights say what they are.
  explicit BackboneTailImpl(TailDescription description);

  // [N, C*H*W] prefix activations -> [N, 1280] features.
  torch::Tensor forward(const torch::Tensor& flat_inputs);
  // Stays in eval mode whatever is asked: the batch norms are frozen.
  void train(bool on = true) override;
  // The parameters fine-tuning changes: every one but the batch norms'.
  std::vector<torch::Tensor> trainable_parameters() const;
  const TailDescription& description() const { return description_; }
  // Copies every parameter and buffer of `source`, layers built alike (the
  // backbone's own last blocks), onto the CPU.
  void copy_weights_from(const torch::nn::Sequential& source);
  // A tail of its own with these weights (training changes a tail in place).
  std::shared_ptr<BackboneTailImpl> copy() const;

  // The description stored in a tail's weights (the "description" buffer).
  static TailDescription read_description(const torch::Tensor& stored);

 private:
  TailDescription description_;
  torch::nn::Sequential layers_{nullptr};
};
TORCH_MODULE(BackboneTail);

struct BackboneSplit {
  std::unique_ptr<FrozenBackbone>
      prefix;                  // embed(): [N, C*H*W]; feature_map(): [N, C, H, W]; pool(): flatten
  BackboneTail tail{nullptr};  // on the CPU, with the backbone's weights for its blocks
};

// Loads `spec`'s backbone and cuts it before its last `blocks` blocks for
// `image_size` inputs. ConfigError when blocks is outside 1..block count.
BackboneSplit split_backbone(const BackboneSpec& spec, int blocks, int image_size);

// The prefix alone (the frozen part a stored tail was trained behind).
std::unique_ptr<FrozenBackbone> load_backbone_prefix(const BackboneSpec& spec, int blocks, int image_size);

}  // namespace popsweep::nets
