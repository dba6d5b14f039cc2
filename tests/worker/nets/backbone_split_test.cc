// Fine-tuning's cut of the backbone (issue 20, backbone_split.h): the frozen
// prefix followed by the trainable tail computes what the whole backbone
// does (the independent truth: load_backbone's unsplit path, which for
// EfficientNet-B0 even folds the batch norms), and the tail's batch norms
// stay frozen.
#include "worker/nets/backbone_split.h"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "common/error.h"
#include "worker/nets/efficientnet_b0.h"
#include "worker/nets/mobilenet_v2_architecture.h"

namespace popsweep::nets {
namespace {

BackboneSpec spec_of(const std::string& name, const std::string& weights) {
  BackboneSpec spec;
  spec.name = name;
  spec.weights = weights;
  spec.random_seed = 5;
  return spec;
}

torch::Tensor images(int side) {
  torch::Generator generator = at::detail::createCPUGenerator(3);
  return torch::randn({3, 3, side, side}, generator);
}

// The largest difference relative to the largest feature.
double relative_gap(const torch::Tensor& a, const torch::Tensor& b) {
  return ((a - b).abs().max() / b.abs().max()).item<double>();
}

void expect_split_equals_whole(const BackboneSpec& spec, int blocks, int side, double tolerance) {
  const torch::Tensor x = images(side);
  const torch::Tensor whole = load_backbone(spec)->embed(x);
  BackboneSplit split = split_backbone(spec, blocks, side);
  torch::NoGradGuard no_grad;
  const torch::Tensor flat = split.prefix->embed(x);
  const std::vector<std::int64_t>& shape = split.tail->description().input_shape;
  EXPECT_EQ(flat.size(1), shape[0] * shape[1] * shape[2]);
  const torch::Tensor joined = split.tail->forward(flat);
  const double gap = relative_gap(joined, whole);
  std::printf("%s (%s), last %d blocks, %d px: cut at [%ld, %ld, %ld], prefix + tail vs whole: %.3g\n",
              spec.name.c_str(), spec.weights.c_str(), blocks, side, static_cast<long>(shape[0]),
              static_cast<long>(shape[1]), static_cast<long>(shape[2]), gap);
  EXPECT_LE(gap, tolerance) << spec.name << " " << blocks;
}

TEST(BackboneSplit, EfficientNetB0PrefixThenTailIsTheWholeBackbone) {
  // The whole backbone folds its batch norms into the convs: float rounding apart.
  expect_split_equals_whole(spec_of("efficientnet_b0", "random"), 2, 64, 1e-4);
  expect_split_equals_whole(spec_of("efficientnet_b0", "random"), 16, 64, 1e-4);
}

TEST(BackboneSplit, MobileNetV2PrefixThenTailIsTheWholeBackbone) {
  // Pretrained (the builtin ImageNet model, TensorFlow padding) and random.
  expect_split_equals_whole(spec_of("mobilenet_v2", "builtin:mobilenet_v2"), 2, 96, 1e-5);
  expect_split_equals_whole(spec_of("mobilenet_v2", "random"), 5, 64, 1e-5);
}

TEST(BackboneSplit, BlockCountsAreTheArchitectureTables) {
  int efficientnet = 0, mobilenet = 0;
  for (const MBConvStage& stage : efficientnet_b0_stages()) efficientnet += static_cast<int>(stage.layers);
  for (const InvertedResidualSetting& setting : mobilenet_v2_settings())
    mobilenet += static_cast<int>(setting.repeats);
  EXPECT_EQ(backbone_block_count("efficientnet_b0"), efficientnet);
  EXPECT_EQ(backbone_block_count("mobilenet_v2"), mobilenet);
  EXPECT_THROW(split_backbone(spec_of("efficientnet_b0", "random"), 0, 64), ConfigError);
  EXPECT_THROW(split_backbone(spec_of("efficientnet_b0", "random"), 17, 64), ConfigError);
  EXPECT_THROW(backbone_block_count("resnet50"), ConfigError);
}

TEST(BackboneSplit, TheTailsBatchNormsStayFrozen) {
  BackboneSplit split = split_backbone(spec_of("efficientnet_b0", "random"), 2, 64);
  BackboneTail& tail = split.tail;
  std::vector<torch::Tensor> before;
  for (const torch::Tensor& buffer : tail->buffers()) before.push_back(buffer.clone());
  tail->train(true);
  EXPECT_FALSE(tail->is_training());
  // Trainable: every parameter but the batch norms' weight and bias.
  std::int64_t norms = 0;
  for (const auto& parameter : tail->named_parameters()) {
    const bool in_norm = parameter.key().find(".1.weight") != std::string::npos ||
                         parameter.key().find(".1.bias") != std::string::npos;
    if (in_norm) ++norms;
    EXPECT_EQ(parameter.value().requires_grad(), !in_norm) << parameter.key();
  }
  EXPECT_GT(norms, 0);
  EXPECT_EQ(tail->trainable_parameters().size() + static_cast<size_t>(norms), tail->parameters().size());
  // A forward and backward pass "in training" leaves the running statistics as they were.
  const torch::Tensor flat = split.prefix->embed(images(64));
  tail->forward(flat).sum().backward();
  size_t i = 0;
  for (const torch::Tensor& buffer : tail->buffers()) EXPECT_TRUE(torch::equal(buffer, before[i++]));
}

}  // namespace
}  // namespace popsweep::nets
