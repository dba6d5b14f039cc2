// MobileNetV2 (width 1.0) as torchvision 0.14 builds it, with the same
// parameter and buffer names (mobilenet_v2_architecture.h lists them), so
// torchvision's state dict loads as is, and so do weights imported from a
// TFLite model (tflite_import.h).
//
// Two things differ between those sources, and the options carry them:
//   - padding: torchvision pads every 3x3 conv by one on all sides; a graph
//     from TensorFlow uses SAME padding, which for a stride-2 conv on an
//     even-sized input pads 0 at the top/left and 1 at the bottom/right.
//     kTensorFlowSame pads each conv explicitly, computed from the input size
//     at run time exactly as TensorFlow does (total = max((ceil(in/s) - 1) * s
//     + k - in, 0), the smaller half before, the larger after);
//   - the class count: 1000 for torchvision, 1001 for TFLite (0 = background).
// TFLite graphs have their batch norms folded; the importer gives each norm
// identity statistics, so the module's structure stays torchvision's.
//
// The backbone is never trained here: keep the module in eval() mode
// (classifier.0 is dropout).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace popsweep::nets {

enum class MobileNetV2Padding { kSymmetric, kTensorFlowSame };

struct MobileNetV2Options {
  std::int64_t classes = 1000;
  MobileNetV2Padding padding = MobileNetV2Padding::kSymmetric;
};

// A conv built with `padding`'s rule: symmetric padding (kernel - 1) / 2 in
// the conv itself, or none there and TensorFlow's SAME padding applied here.
torch::nn::Conv2d make_mobilenet_v2_conv(std::int64_t in_channels, std::int64_t out_channels,
                                         std::int64_t kernel, std::int64_t stride, std::int64_t groups,
                                         MobileNetV2Padding padding);
torch::Tensor apply_mobilenet_v2_conv(torch::nn::Conv2d conv, const torch::Tensor& input,
                                      MobileNetV2Padding padding);

// torchvision's Conv2dNormActivation with ReLU6: bias-free conv "0", batch norm "1".
class ConvNormReLU6Impl : public torch::nn::Module {
 public:
  ConvNormReLU6Impl(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel,
                    std::int64_t stride, std::int64_t groups, MobileNetV2Padding padding);
  torch::Tensor forward(const torch::Tensor& input);

  torch::nn::Conv2d conv{nullptr};
  torch::nn::BatchNorm2d norm{nullptr};
  MobileNetV2Padding padding;
};
TORCH_MODULE(ConvNormReLU6);

// "conv" holds [expand 1x1 (when the ratio is not 1)], depthwise 3x3, the
// linear projection 1x1 conv and its batch norm; a skip connection when the
// stride is 1 and the channel count is kept.
class InvertedResidualImpl : public torch::nn::Module {
 public:
  InvertedResidualImpl(std::int64_t in_channels, std::int64_t out_channels, std::int64_t stride,
                       std::int64_t expand_ratio, MobileNetV2Padding padding);
  torch::Tensor forward(const torch::Tensor& input);

  ConvNormReLU6 expand{nullptr};  // null when the expand ratio is 1
  ConvNormReLU6 depthwise{nullptr};
  torch::nn::Conv2d project{nullptr};
  torch::nn::BatchNorm2d project_norm{nullptr};
  bool has_residual;
};
TORCH_MODULE(InvertedResidual);

class MobileNetV2Impl : public torch::nn::Module {
 public:
  explicit MobileNetV2Impl(MobileNetV2Options options = {});

  // features.18's output: [N, 1280, H/32, W/32], the last conv layer (M20).
  torch::Tensor feature_map(const torch::Tensor& images);
  // The global-average-pooled feature: [N, 1280].
  torch::Tensor embed(const torch::Tensor& images);
  // Logits: [N, classes].
  torch::Tensor forward(const torch::Tensor& images);

  const MobileNetV2Options& options() const { return options_; }

  ConvNormReLU6 stem{nullptr};
  std::vector<InvertedResidual> blocks;
  ConvNormReLU6 head{nullptr};
  torch::nn::Linear classifier{nullptr};

 private:
  MobileNetV2Options options_;
};
TORCH_MODULE(MobileNetV2);

}  // namespace popsweep::nets
