// EfficientNet-B0 prepared for frozen inference (M13: "base not trainable"):
// every batch norm folded into the convolution before it (conv weight scaled
// by gamma/sqrt(var+eps), bias beta-mean*gamma/sqrt(var+eps)), activations in
// channels-last layout, run under torch::InferenceMode. Its outputs equal
// EfficientNetB0's in eval mode up to float rounding.
//
// No gradients flow through it. Grad-CAM (M20) does not need them: with the
// classifier being GAP -> dropout -> dense, the gradient of a class score
// with respect to feature_map() is that class's dense weights divided by H*W,
// so feature_map() here and the head's weights give the heatmap. Where
// gradients through the backbone are ever needed, use EfficientNetB0 itself
// (efficientnet_b0.h), the unfolded differentiable path.
//
// Nothing here assumes a CPU: pass a CUDA device and the folded weights and
// every batch move there.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "worker/nets/efficientnet_b0.h"

namespace popsweep::nets {

struct FrozenBackboneOptions {
  // Where the folded weights live and the batches run.
  torch::Device device = torch::kCPU;
  // NHWC activations: oneDNN on CPU and cuDNN on GPU run convs faster in it.
  bool channels_last = true;
};

class FrozenEfficientNetB0 {
 public:
  // Folds `model`'s current weights; later changes to `model` are not seen.
  explicit FrozenEfficientNetB0(const EfficientNetB0& model, FrozenBackboneOptions options = {});

  // `images`: [N, 3, H, W] float, normalised with ImageNet mean/std (M11), on
  // any device. Results are ordinary tensors (not inference tensors) on the
  // backbone's device.
  torch::Tensor embed(const torch::Tensor& images) const;        // [N, 1280]
  torch::Tensor feature_map(const torch::Tensor& images) const;  // [N, 1280, H/32, W/32]
  torch::Tensor classify(const torch::Tensor& images) const;     // [N, classes] logits
  // embed() over slices of `batch_size` images, for sets too large for one batch.
  torch::Tensor embed_in_batches(const torch::Tensor& images, std::int64_t batch_size) const;

  const FrozenBackboneOptions& options() const { return options_; }

 private:
  struct FoldedConv {
    torch::Tensor weight;
    torch::Tensor bias;
    std::int64_t stride;
    std::int64_t padding;
    std::int64_t groups;
    bool applies_silu;
  };
  struct FoldedBlock {
    std::optional<FoldedConv> expand;
    FoldedConv depthwise;
    // Squeeze-excitation's 1x1 convs on a pooled vector, kept as linear maps.
    torch::Tensor squeeze_weight, squeeze_bias, excite_weight, excite_bias;
    FoldedConv project;
    bool has_residual;
  };

  FoldedConv fold(const ConvBatchNormImpl& unit) const;
  torch::Tensor apply(const FoldedConv& conv, const torch::Tensor& input) const;
  torch::Tensor apply(const FoldedBlock& block, const torch::Tensor& input) const;
  // The feature map as an inference tensor; callers run it under InferenceMode.
  torch::Tensor run_features(const torch::Tensor& images) const;

  FrozenBackboneOptions options_;
  FoldedConv stem_;
  std::vector<FoldedBlock> blocks_;
  FoldedConv head_;
  torch::Tensor classifier_weight_, classifier_bias_;
};

}  // namespace popsweep::nets
