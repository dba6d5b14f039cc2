// EfficientNet-B0 (Tan & Le 2019) as torchvision 0.14 builds it (M13), with
// the same parameter and buffer names, so torchvision's state dict loads as
// is: features.0 (stem conv), features.1-7 (MBConv stages), features.8 (1x1
// conv to 1280 channels), avgpool, classifier.0 (dropout) and classifier.1
// (linear). Batch norms use PyTorch's defaults (eps 1e-5), as torchvision's
// efficientnet_b0 does (only its V2 models use 1e-3).
//
// This module is the plain, differentiable reference. The backbone is never
// trained here, so stochastic depth (identity at eval) is left out; keep the
// module in eval() mode. For fast frozen inference use FrozenEfficientNetB0
// (frozen_efficientnet_b0.h), which folds the batch norms into the convs.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace popsweep::nets {

// torchvision's Conv2dNormActivation: "0" a bias-free conv with "same"
// padding, "1" a batch norm, then SiLU unless `applies_silu` is false.
class ConvBatchNormImpl : public torch::nn::Module {
 public:
  ConvBatchNormImpl(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel,
                    std::int64_t stride, std::int64_t groups, bool applies_silu);
  torch::Tensor forward(const torch::Tensor& input);

  torch::nn::Conv2d conv{nullptr};
  torch::nn::BatchNorm2d batch_norm{nullptr};
  bool applies_silu;
};
TORCH_MODULE(ConvBatchNorm);

// Channel attention: global average, 1x1 conv "fc1", SiLU, 1x1 conv "fc2",
// sigmoid, then the input scaled per channel.
class SqueezeExcitationImpl : public torch::nn::Module {
 public:
  SqueezeExcitationImpl(std::int64_t channels, std::int64_t squeeze_channels);
  torch::Tensor forward(const torch::Tensor& input);

  torch::nn::Conv2d fc1{nullptr};
  torch::nn::Conv2d fc2{nullptr};
};
TORCH_MODULE(SqueezeExcitation);

// One row of the architecture table (the paper's Table 1).
struct MBConvStage {
  std::int64_t expand_ratio;
  std::int64_t kernel;
  std::int64_t stride;
  std::int64_t in_channels;
  std::int64_t out_channels;
  std::int64_t layers;
};
const std::vector<MBConvStage>& efficientnet_b0_stages();

// Mobile inverted bottleneck: "block" holds [expand 1x1 (when the expand
// ratio is not 1)], depthwise kxk, squeeze-excitation, project 1x1 (no SiLU);
// a residual connection when shape is kept.
class MBConvImpl : public torch::nn::Module {
 public:
  MBConvImpl(std::int64_t expand_ratio, std::int64_t kernel, std::int64_t stride, std::int64_t in_channels,
             std::int64_t out_channels);
  torch::Tensor forward(const torch::Tensor& input);

  ConvBatchNorm expand{nullptr};  // null when the expand ratio is 1
  ConvBatchNorm depthwise{nullptr};
  SqueezeExcitation squeeze_excitation{nullptr};
  ConvBatchNorm project{nullptr};
  bool has_residual;
};
TORCH_MODULE(MBConv);

class EfficientNetB0Impl : public torch::nn::Module {
 public:
  static constexpr std::int64_t kFeatureChannels = 1280;

  explicit EfficientNetB0Impl(std::int64_t classes = 1000);

  // features.8's output: [N, 1280, H/32, W/32], the last conv layer (M20).
  torch::Tensor feature_map(const torch::Tensor& images);
  // The global-average-pooled feature: [N, 1280] (M7, M11).
  torch::Tensor embed(const torch::Tensor& images);
  // ImageNet logits: [N, classes].
  torch::Tensor forward(const torch::Tensor& images);

  ConvBatchNorm stem{nullptr};
  std::vector<std::vector<MBConv>> stages;
  ConvBatchNorm head{nullptr};
  torch::nn::Linear classifier{nullptr};
};
TORCH_MODULE(EfficientNetB0);

}  // namespace popsweep::nets
