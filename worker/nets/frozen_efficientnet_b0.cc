#include "worker/nets/frozen_efficientnet_b0.h"

#include <torch/torch.h>  // explicit, so the build gives this file the precompiled header

#include "common/error.h"

namespace popsweep::nets {
namespace {

torch::Tensor flatten_1x1(const torch::Tensor& weight) { return weight.flatten(1); }

void check_images(const torch::Tensor& images) {
  if (images.dim() != 4 || images.size(1) != 3 || !images.is_floating_point()) {
    throw Error("backbone input must be float [N, 3, H, W] images, got " +
                std::string(c10::toString(images.scalar_type())) + " " + c10::str(images.sizes()));
  }
}

}  // namespace

FrozenEfficientNetB0::FrozenEfficientNetB0(const EfficientNetB0& model, FrozenBackboneOptions options)
    : options_(options) {
  torch::NoGradGuard no_grad;
  stem_ = fold(*model->stem);
  for (const std::vector<MBConv>& stage : model->stages) {
    for (const MBConv& block : stage) {
      FoldedBlock folded;
      if (block->expand) folded.expand = fold(*block->expand);
      folded.depthwise = fold(*block->depthwise);
      const SqueezeExcitationImpl& se = *block->squeeze_excitation;
      folded.squeeze_weight = flatten_1x1(se.fc1->weight).to(options_.device);
      folded.squeeze_bias = se.fc1->bias.to(options_.device);
      folded.excite_weight = flatten_1x1(se.fc2->weight).to(options_.device);
      folded.excite_bias = se.fc2->bias.to(options_.device);
      folded.project = fold(*block->project);
      folded.has_residual = block->has_residual;
      blocks_.push_back(std::move(folded));
    }
  }
  head_ = fold(*model->head);
  classifier_weight_ = model->classifier->weight.detach().to(options_.device).clone();
  classifier_bias_ = model->classifier->bias.detach().to(options_.device).clone();
}

FrozenEfficientNetB0::FoldedConv FrozenEfficientNetB0::fold(const ConvBatchNormImpl& unit) const {
  const torch::nn::BatchNorm2dImpl& batch_norm = *unit.batch_norm;
  const torch::nn::Conv2dImpl& conv = *unit.conv;
  // In double, so folding adds no rounding beyond the final cast.
  const torch::Tensor scale =
      batch_norm.weight.to(torch::kFloat64) /
      torch::sqrt(batch_norm.running_var.to(torch::kFloat64) + batch_norm.options.eps());
  const torch::Tensor weight = conv.weight.to(torch::kFloat64) * scale.view({-1, 1, 1, 1});
  const torch::Tensor bias =
      batch_norm.bias.to(torch::kFloat64) - batch_norm.running_mean.to(torch::kFloat64) * scale;
  const auto memory_format =
      options_.channels_last ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous;
  FoldedConv folded;
  folded.weight = weight.to(options_.device, torch::kFloat32).contiguous(memory_format);
  folded.bias = bias.to(options_.device, torch::kFloat32);
  folded.stride = (*conv.options.stride())[0];
  folded.padding = (conv.weight.size(2) - 1) / 2;  // ConvBatchNorm's "same" padding
  folded.groups = conv.options.groups();
  folded.applies_silu = unit.applies_silu;
  return folded;
}

torch::Tensor FrozenEfficientNetB0::apply(const FoldedConv& conv, const torch::Tensor& input) const {
  torch::Tensor output = torch::conv2d(input, conv.weight, conv.bias, {conv.stride, conv.stride},
                                       {conv.padding, conv.padding}, {1, 1}, conv.groups);
  return conv.applies_silu ? torch::silu_(output) : output;
}

torch::Tensor FrozenEfficientNetB0::apply(const FoldedBlock& block, const torch::Tensor& input) const {
  torch::Tensor x = block.expand ? apply(*block.expand, input) : input;
  x = apply(block.depthwise, x);
  torch::Tensor scale = torch::linear(x.mean({2, 3}), block.squeeze_weight, block.squeeze_bias);
  torch::silu_(scale);
  scale = torch::linear(scale, block.excite_weight, block.excite_bias).sigmoid_();
  // In place: the depthwise output is this block's own, and one fewer
  // activation-sized allocation per block is measurable (the early blocks
  // are memory-bound).
  x = apply(block.project, x.mul_(scale.view({scale.size(0), scale.size(1), 1, 1})));
  if (block.has_residual) x.add_(input);
  return x;
}

torch::Tensor FrozenEfficientNetB0::run_features(const torch::Tensor& images) const {
  check_images(images);
  const auto memory_format =
      options_.channels_last ? torch::MemoryFormat::ChannelsLast : torch::MemoryFormat::Contiguous;
  torch::Tensor x = images.to(options_.device, torch::kFloat32).contiguous(memory_format);
  x = apply(stem_, x);
  for (const FoldedBlock& block : blocks_) x = apply(block, x);
  return apply(head_, x);
}

torch::Tensor FrozenEfficientNetB0::embed(const torch::Tensor& images) const {
  torch::Tensor features;
  {
    c10::InferenceMode inference;
    features = run_features(images).mean({2, 3});
  }
  // A clone made outside InferenceMode is an ordinary tensor, usable as input
  // to heads that are being trained.
  return features.clone();
}

torch::Tensor FrozenEfficientNetB0::feature_map(const torch::Tensor& images) const {
  torch::Tensor features;
  {
    c10::InferenceMode inference;
    features = run_features(images);
  }
  return features.contiguous().clone();
}

torch::Tensor FrozenEfficientNetB0::classify(const torch::Tensor& images) const {
  torch::Tensor logits;
  {
    c10::InferenceMode inference;
    logits = torch::linear(run_features(images).mean({2, 3}), classifier_weight_, classifier_bias_);
  }
  return logits.clone();
}

torch::Tensor FrozenEfficientNetB0::embed_in_batches(const torch::Tensor& images,
                                                     std::int64_t batch_size) const {
  if (batch_size <= 0) throw ConfigError("batch size must be positive");
  std::vector<torch::Tensor> parts;
  for (std::int64_t start = 0; start < images.size(0); start += batch_size) {
    parts.push_back(embed(images.slice(0, start, std::min(start + batch_size, images.size(0)))));
  }
  if (parts.empty())
    return torch::empty({0, EfficientNetB0Impl::kFeatureChannels},
                        torch::TensorOptions().device(options_.device));
  return torch::cat(parts);
}

}  // namespace popsweep::nets
