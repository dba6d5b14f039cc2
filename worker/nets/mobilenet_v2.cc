#include "worker/nets/mobilenet_v2.h"

#include <torch/torch.h>  // explicit, so the build gives this file the precompiled header

#include "worker/nets/mobilenet_v2_architecture.h"

namespace popsweep::nets {
namespace {

// TensorFlow's SAME rule along one axis: {before, after}.
std::pair<std::int64_t, std::int64_t> same_padding(std::int64_t size, std::int64_t kernel,
                                                   std::int64_t stride) {
  const std::int64_t out = (size + stride - 1) / stride;
  const std::int64_t total = std::max<std::int64_t>((out - 1) * stride + kernel - size, 0);
  return {total / 2, total - total / 2};
}

}  // namespace

torch::nn::Conv2d make_mobilenet_v2_conv(std::int64_t in_channels, std::int64_t out_channels,
                                         std::int64_t kernel, std::int64_t stride, std::int64_t groups,
                                         MobileNetV2Padding padding) {
  const std::int64_t built_in = padding == MobileNetV2Padding::kSymmetric ? (kernel - 1) / 2 : 0;
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, kernel)
                               .stride(stride)
                               .padding(built_in)
                               .groups(groups)
                               .bias(false));
}

torch::Tensor apply_mobilenet_v2_conv(torch::nn::Conv2d conv, const torch::Tensor& input,
                                      MobileNetV2Padding padding) {
  const std::int64_t kernel = conv->options.kernel_size()->at(0);
  const std::int64_t stride = conv->options.stride()->at(0);
  if (padding == MobileNetV2Padding::kSymmetric || kernel == 1) return conv->forward(input);
  const auto [top, bottom] = same_padding(input.size(2), kernel, stride);
  const auto [left, right] = same_padding(input.size(3), kernel, stride);
  return conv->forward(torch::constant_pad_nd(input, {left, right, top, bottom}, 0.0));
}

ConvNormReLU6Impl::ConvNormReLU6Impl(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel,
                                     std::int64_t stride, std::int64_t groups, MobileNetV2Padding padding)
    : padding(padding) {
  conv = register_module("0",
                         make_mobilenet_v2_conv(in_channels, out_channels, kernel, stride, groups, padding));
  norm = register_module("1", torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(out_channels).eps(1e-5)));
}

torch::Tensor ConvNormReLU6Impl::forward(const torch::Tensor& input) {
  return torch::hardtanh(norm->forward(apply_mobilenet_v2_conv(conv, input, padding)), 0.0, 6.0);
}

InvertedResidualImpl::InvertedResidualImpl(std::int64_t in_channels, std::int64_t out_channels,
                                           std::int64_t stride, std::int64_t expand_ratio,
                                           MobileNetV2Padding padding)
    : has_residual(stride == 1 && in_channels == out_channels) {
  const std::int64_t hidden = in_channels * expand_ratio;
  // Registered through a list so the names are torchvision's conv.0, conv.1, ...
  torch::nn::ModuleList conv;
  if (expand_ratio != 1) {
    expand = ConvNormReLU6(in_channels, hidden, 1, 1, 1, padding);
    conv->push_back(expand);
  }
  depthwise = ConvNormReLU6(hidden, hidden, 3, stride, hidden, padding);
  project = make_mobilenet_v2_conv(hidden, out_channels, 1, 1, 1, padding);
  project_norm = torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(out_channels).eps(1e-5));
  conv->push_back(depthwise);
  conv->push_back(project);
  conv->push_back(project_norm);
  register_module("conv", conv);
}

torch::Tensor InvertedResidualImpl::forward(const torch::Tensor& input) {
  torch::Tensor output = expand ? expand->forward(input) : input;
  output = project_norm->forward(project->forward(depthwise->forward(output)));
  return has_residual ? output + input : output;
}

MobileNetV2Impl::MobileNetV2Impl(MobileNetV2Options options) : options_(options) {
  torch::nn::ModuleList features;
  stem = ConvNormReLU6(3, kMobileNetV2StemChannels, 3, 2, 1, options.padding);
  features->push_back(stem);
  std::int64_t in_channels = kMobileNetV2StemChannels;
  for (const InvertedResidualSetting& setting : mobilenet_v2_settings()) {
    for (std::int64_t repeat = 0; repeat < setting.repeats; ++repeat) {
      const std::int64_t stride = repeat == 0 ? setting.stride : 1;
      blocks.push_back(
          InvertedResidual(in_channels, setting.out_channels, stride, setting.expand_ratio, options.padding));
      features->push_back(blocks.back());
      in_channels = setting.out_channels;
    }
  }
  head = ConvNormReLU6(in_channels, kMobileNetV2FeatureChannels, 1, 1, 1, options.padding);
  features->push_back(head);
  register_module("features", features);

  // classifier.0 is torchvision's Dropout(0.2): parameter-free and off at eval.
  torch::nn::ModuleList classifier_modules;
  classifier = torch::nn::Linear(kMobileNetV2FeatureChannels, options.classes);
  classifier_modules->push_back(torch::nn::Dropout(0.2));
  classifier_modules->push_back(classifier);
  register_module("classifier", classifier_modules);
}

torch::Tensor MobileNetV2Impl::feature_map(const torch::Tensor& images) {
  torch::Tensor x = stem->forward(images);
  for (InvertedResidual& block : blocks) x = block->forward(x);
  return head->forward(x);
}

torch::Tensor MobileNetV2Impl::embed(const torch::Tensor& images) { return feature_map(images).mean({2, 3}); }

torch::Tensor MobileNetV2Impl::forward(const torch::Tensor& images) {
  return classifier->forward(embed(images));
}

}  // namespace popsweep::nets
