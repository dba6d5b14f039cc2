#include "worker/nets/efficientnet_b0.h"

#include <torch/torch.h>  // explicit, so the build gives this file the precompiled header

#include <algorithm>

namespace popsweep::nets {

ConvBatchNormImpl::ConvBatchNormImpl(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel,
                                     std::int64_t stride, std::int64_t groups, bool applies_silu)
    : applies_silu(applies_silu) {
  conv = register_module("0", torch::nn::Conv2d(torch::nn::Conv2dOptions(in_channels, out_channels, kernel)
                                                    .stride(stride)
                                                    .padding((kernel - 1) / 2)
                                                    .groups(groups)
                                                    .bias(false)));
  batch_norm =
      register_module("1", torch::nn::BatchNorm2d(torch::nn::BatchNorm2dOptions(out_channels).eps(1e-5)));
}

torch::Tensor ConvBatchNormImpl::forward(const torch::Tensor& input) {
  torch::Tensor output = batch_norm->forward(conv->forward(input));
  return applies_silu ? torch::silu(output) : output;
}

SqueezeExcitationImpl::SqueezeExcitationImpl(std::int64_t channels, std::int64_t squeeze_channels) {
  fc1 = register_module("fc1", torch::nn::Conv2d(torch::nn::Conv2dOptions(channels, squeeze_channels, 1)));
  fc2 = register_module("fc2", torch::nn::Conv2d(torch::nn::Conv2dOptions(squeeze_channels, channels, 1)));
}

torch::Tensor SqueezeExcitationImpl::forward(const torch::Tensor& input) {
  const torch::Tensor pooled = torch::adaptive_avg_pool2d(input, {1, 1});
  const torch::Tensor scale = torch::sigmoid(fc2->forward(torch::silu(fc1->forward(pooled))));
  return input * scale;
}

const std::vector<MBConvStage>& efficientnet_b0_stages() {
  // torchvision's _efficientnet_conf("efficientnet_b0"): width and depth multipliers are 1.
  static const std::vector<MBConvStage> stages = {
      {1, 3, 1, 32, 16, 1},  {6, 3, 2, 16, 24, 2},   {6, 5, 2, 24, 40, 2},   {6, 3, 2, 40, 80, 3},
      {6, 5, 1, 80, 112, 3}, {6, 5, 2, 112, 192, 4}, {6, 3, 1, 192, 320, 1},
  };
  return stages;
}

MBConvImpl::MBConvImpl(std::int64_t expand_ratio, std::int64_t kernel, std::int64_t stride,
                       std::int64_t in_channels, std::int64_t out_channels)
    : has_residual(stride == 1 && in_channels == out_channels) {
  const std::int64_t expanded = in_channels * expand_ratio;
  // Registered through a list so the names are torchvision's block.0, block.1, ...
  torch::nn::ModuleList block;
  if (expanded != in_channels) {
    expand = ConvBatchNorm(in_channels, expanded, 1, 1, 1, true);
    block->push_back(expand);
  }
  depthwise = ConvBatchNorm(expanded, expanded, kernel, stride, expanded, true);
  squeeze_excitation = SqueezeExcitation(expanded, std::max<std::int64_t>(1, in_channels / 4));
  project = ConvBatchNorm(expanded, out_channels, 1, 1, 1, false);
  block->push_back(depthwise);
  block->push_back(squeeze_excitation);
  block->push_back(project);
  register_module("block", block);
}

torch::Tensor MBConvImpl::forward(const torch::Tensor& input) {
  torch::Tensor output = expand ? expand->forward(input) : input;
  output = project->forward(squeeze_excitation->forward(depthwise->forward(output)));
  return has_residual ? output + input : output;
}

EfficientNetB0Impl::EfficientNetB0Impl(std::int64_t classes) {
  const std::vector<MBConvStage>& table = efficientnet_b0_stages();
  torch::nn::ModuleList features;
  stem = ConvBatchNorm(3, table.front().in_channels, 3, 2, 1, true);
  features->push_back(stem);
  for (const MBConvStage& stage : table) {
    torch::nn::ModuleList stage_modules;
    std::vector<MBConv>& blocks = stages.emplace_back();
    for (std::int64_t layer = 0; layer < stage.layers; ++layer) {
      // Only a stage's first block changes the stride and the channel count.
      const std::int64_t in_channels = layer == 0 ? stage.in_channels : stage.out_channels;
      const std::int64_t stride = layer == 0 ? stage.stride : 1;
      blocks.push_back(MBConv(stage.expand_ratio, stage.kernel, stride, in_channels, stage.out_channels));
      stage_modules->push_back(blocks.back());
    }
    features->push_back(stage_modules);
  }
  head = ConvBatchNorm(table.back().out_channels, kFeatureChannels, 1, 1, 1, true);
  features->push_back(head);
  register_module("features", features);

  // classifier.0 is torchvision's Dropout(0.2): parameter-free and off at eval.
  torch::nn::ModuleList classifier_modules;
  classifier = torch::nn::Linear(kFeatureChannels, classes);
  classifier_modules->push_back(torch::nn::Dropout(0.2));
  classifier_modules->push_back(classifier);
  register_module("classifier", classifier_modules);
}

torch::Tensor EfficientNetB0Impl::feature_map(const torch::Tensor& images) {
  torch::Tensor x = stem->forward(images);
  for (std::vector<MBConv>& blocks : stages) {
    for (MBConv& block : blocks) x = block->forward(x);
  }
  return head->forward(x);
}

torch::Tensor EfficientNetB0Impl::embed(const torch::Tensor& images) {
  return feature_map(images).mean({2, 3});
}

torch::Tensor EfficientNetB0Impl::forward(const torch::Tensor& images) {
  return classifier->forward(embed(images));
}

}  // namespace popsweep::nets
