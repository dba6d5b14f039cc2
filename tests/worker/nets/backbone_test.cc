// The FrozenBackbone interface other stages code against (M13, M20).
#include "worker/nets/backbone.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "common/error.h"
#include "common/sha256.h"
#include "tests/support/temp_dir.h"
#include "worker/nets/efficientnet_b0.h"

namespace popsweep::nets {
namespace {

BackboneSpec random_efficientnet(std::uint64_t seed) {
  BackboneSpec spec;
  spec.name = "efficientnet_b0";
  spec.weights = "random";
  spec.random_seed = seed;
  return spec;
}

// Small images keep the test fast; the network takes any size (the map is H/32 x W/32).
torch::Tensor small_images() {
  torch::Generator generator = at::detail::createCPUGenerator(3);
  return torch::randn({2, 3, 64, 64}, generator);
}

TEST(NetsBackbone, DescribesEfficientNetB0AndItsInput) {
  const std::unique_ptr<FrozenBackbone> backbone = load_backbone(random_efficientnet(0));
  EXPECT_EQ(backbone->name(), "efficientnet_b0");
  EXPECT_EQ(backbone->feature_dimension(), 1280);
  EXPECT_EQ(backbone->input_size(), 224);
  EXPECT_FLOAT_EQ(backbone->input_mean()[0], 0.485f);
  EXPECT_FLOAT_EQ(backbone->input_std()[2], 0.225f);
  EXPECT_TRUE(backbone->device().is_cpu());
}

TEST(NetsBackbone, RandomWeightsGiveFeaturesThatDependOnlyOnTheSeed) {
  const torch::Tensor images = small_images();
  const torch::Tensor first = load_backbone(random_efficientnet(7))->embed(images);
  const torch::Tensor again = load_backbone(random_efficientnet(7))->embed(images);
  const torch::Tensor other = load_backbone(random_efficientnet(8))->embed(images);
  ASSERT_EQ(first.sizes(), (std::vector<std::int64_t>{2, 1280}));
  EXPECT_FALSE(first.requires_grad());
  EXPECT_TRUE(torch::equal(first, again));
  EXPECT_FALSE(torch::allclose(first, other));
}

// Raw random-weight features are about 1e-13 (batch norms at identity
// statistics), so random backbones hand out unit-RMS vectors instead.
TEST(NetsBackbone, RandomWeightFeaturesHaveUnitRootMeanSquare) {
  const torch::Tensor features = load_backbone(random_efficientnet(7))->embed(small_images());
  const torch::Tensor rms = features.pow(2).mean(1).sqrt();
  EXPECT_TRUE(torch::allclose(rms, torch::ones_like(rms), 1e-5, 1e-5)) << rms;
  EXPECT_FALSE(torch::allclose(features[0], features[1], 1e-3, 1e-3));
}

TEST(NetsBackbone, FeatureMapCarriesGradientsAndPoolsToTheEmbedding) {
  const std::unique_ptr<FrozenBackbone> backbone = load_backbone(random_efficientnet(1));
  const torch::Tensor images = small_images();
  const torch::Tensor map = backbone->feature_map(images);
  ASSERT_EQ(map.sizes(), (std::vector<std::int64_t>{2, 1280, 2, 2}));
  ASSERT_TRUE(map.requires_grad());
  const torch::Tensor pooled = backbone->pool(map);
  EXPECT_TRUE(torch::allclose(pooled.detach(), backbone->embed(images), 1e-5, 1e-6));
  // Grad-CAM's weights: d(score)/d(map). Pooling is a spatial mean, so every
  // position of a channel gets 1/(h*w) of the score's gradient with respect
  // to that channel's pooled value; here the score is the sum of the pooled
  // features, rescaled by hand to unit RMS as random backbones do.
  pooled.sum().backward();
  const torch::Tensor raw = map.detach().mean({2, 3}).requires_grad_(true);
  (raw / raw.pow(2).mean(1, true).sqrt()).sum().backward();
  const torch::Tensor expected = (raw.grad() / 4).unsqueeze(-1).unsqueeze(-1).expand_as(map);
  EXPECT_TRUE(torch::allclose(map.grad(), expected, 1e-4, 1e-6));
}

// The part of torchvision's efficientnet_b0 the backbone runs: everything but
// the 1000-class classifier (1,281,000 more).
TEST(NetsBackbone, FeaturesHoldTorchvisionsParameterCount) {
  EfficientNetB0 model;
  std::int64_t feature_parameters = 0;
  for (const auto& item : model->named_parameters()) {
    if (item.key().rfind("features.", 0) == 0) feature_parameters += item.value().numel();
  }
  EXPECT_EQ(feature_parameters, 4'007'548);
}

TEST(NetsBackbone, WeightsIdentityIsTheSeedOrTheFilesHash) {
  EXPECT_EQ(weights_identity(random_efficientnet(42)), "random:42");
  const popsweep::testing::TempDir dir;
  BackboneSpec spec;
  spec.weights = dir.write("weights.safetensors", "not really weights");
  EXPECT_EQ(weights_identity(spec), sha256_hex("not really weights"));
}

TEST(NetsBackbone, RefusesUnknownArchitecturesAndDevices) {
  BackboneSpec unknown = random_efficientnet(0);
  unknown.name = "resnet50";
  EXPECT_THROW(load_backbone(unknown), ConfigError);
  BackboneSpec bad_device = random_efficientnet(0);
  bad_device.device = "abacus";
  EXPECT_THROW(load_backbone(bad_device), ConfigError);
}

}  // namespace
}  // namespace popsweep::nets
