// The folded, channels-last inference path gives EfficientNetB0's outputs
// (M13) within float rounding, for batch norms with non-trivial statistics.
#include "worker/nets/frozen_efficientnet_b0.h"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "worker/nets/efficientnet_b0_weights.h"

namespace popsweep::nets {
namespace {

// Random weights plus batch norms that are far from the identity, so folding
// mistakes (a missing eps, mean or scale) show.
EfficientNetB0 model_with_random_statistics() {
  EfficientNetB0 model;
  initialise_randomly(*model, 5);
  torch::NoGradGuard no_grad;
  at::Generator generator = at::detail::createCPUGenerator(6);
  for (const auto& item : model->named_modules()) {
    if (auto* batch_norm = item.value()->as<torch::nn::BatchNorm2d>()) {
      batch_norm->weight.uniform_(0.5, 1.5, generator);
      batch_norm->bias.normal_(0.0, 0.1, generator);
      batch_norm->running_mean.normal_(0.0, 0.1, generator);
      batch_norm->running_var.uniform_(0.5, 2.0, generator);
    }
  }
  model->eval();
  return model;
}

double relative_error(const torch::Tensor& actual, const torch::Tensor& expected) {
  return (actual - expected).abs().max().item<double>() / expected.abs().max().item<double>();
}

TEST(NetsFrozenEfficientNetB0, FoldedOutputsEqualTheReferenceModule) {
  EfficientNetB0 model = model_with_random_statistics();
  const torch::Tensor images = torch::randn({2, 3, 160, 160}, at::detail::createCPUGenerator(8));
  torch::Tensor feature_map, embedding, logits;
  {
    torch::NoGradGuard no_grad;
    feature_map = model->feature_map(images);
    embedding = model->embed(images);
    logits = model->forward(images);
  }
  for (const bool channels_last : {true, false}) {
    SCOPED_TRACE(channels_last ? "channels last" : "contiguous");
    const FrozenEfficientNetB0 frozen(model, {torch::kCPU, channels_last});
    const torch::Tensor folded = frozen.embed(images);
    EXPECT_FALSE(folded.is_inference()) << "results must be usable outside InferenceMode";
    EXPECT_LT(relative_error(folded, embedding), 1e-4);
    EXPECT_LT(relative_error(frozen.feature_map(images), feature_map), 1e-4);
    EXPECT_LT(relative_error(frozen.classify(images), logits), 1e-4);
  }
}

TEST(NetsFrozenEfficientNetB0, BatchedEmbeddingEqualsOneBatch) {
  const FrozenEfficientNetB0 frozen(model_with_random_statistics());
  const torch::Tensor images = torch::randn({3, 3, 64, 64}, at::detail::createCPUGenerator(9));
  EXPECT_TRUE(torch::allclose(frozen.embed_in_batches(images, 2), frozen.embed(images), 1e-5, 1e-5));
  EXPECT_EQ(frozen.embed_in_batches(images.slice(0, 0, 0), 2).size(0), 0);
}

TEST(NetsFrozenEfficientNetB0, RefusesInputThatIsNotAnImageBatch) {
  const FrozenEfficientNetB0 frozen(model_with_random_statistics());
  EXPECT_THROW(frozen.embed(torch::zeros({3, 64, 64})), std::exception);
  EXPECT_THROW(frozen.embed(torch::zeros({1, 4, 64, 64})), std::exception);
}

}  // namespace
}  // namespace popsweep::nets
