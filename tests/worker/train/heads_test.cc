// The heads of M14-M17: parameter counts worked out by hand, Keras-default
// initialisation, Keras' GRU arithmetic, dropout masks and weight bytes.
#include "worker/train/heads.h"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <map>

#include "common/error.h"

namespace popsweep::train {
namespace {

int64_t parameter_count(const torch::nn::Module& module) {
  int64_t count = 0;
  for (const torch::Tensor& p : module.parameters()) count += p.numel();
  return count;
}

int64_t layer_parameters(const ModelDescription& model, const std::string& prefix) {
  for (const ModelLayer& layer : model.layers) {
    if (layer.name.rfind(prefix, 0) == 0) return layer.trainable;
  }
  ADD_FAILURE() << "no layer " << prefix;
  return -1;
}

TEST(HeadParameters, ImageHeadCountsByHand) {
  // 1280 weights + 1 bias for a sigmoid output; 3 x 1280 + 3 for softmax.
  EXPECT_EQ(describe_model(Architecture::kImage, 2).trainable, 1281);
  EXPECT_EQ(describe_model(Architecture::kImage, 3).trainable, 3843);
  EXPECT_EQ(describe_model(Architecture::kVideoToImage, 3).trainable, 3843);
  EXPECT_EQ(parameter_count(*make_head(Architecture::kImage, 2, 1)), 1281);
  EXPECT_EQ(parameter_count(*make_head(Architecture::kImage, 3, 1)), 3843);
  EXPECT_EQ(parameter_count(*make_head(Architecture::kVideoToImage, 5, 1)), 5 * 1280 + 5);
}

TEST(HeadParameters, CnnRnnLayersOneByOne) {
  const ModelDescription model = describe_model(Architecture::kCnnRnn, 3);
  EXPECT_EQ(layer_parameters(model, "gru (dropout 0.2 on inputs)"), 30960);  // 3 x (8x1280 + 8x8 + 2x8), M15
  EXPECT_EQ(layer_parameters(model, "gru (dropout 0.2 on inputs), last"), 288);  // 3 x (6x8 + 6x6 + 2x6)
  EXPECT_EQ(layer_parameters(model, "dropout"), 0);
  EXPECT_EQ(layer_parameters(model, "dense (relu)"), 56);     // 6x8 + 8
  EXPECT_EQ(layer_parameters(model, "dense (softmax)"), 27);  // 8x3 + 3
  EXPECT_EQ(model.trainable, 30960 + 288 + 56 + 27);
  EXPECT_EQ(layer_parameters(describe_model(Architecture::kImageToVideo, 2), "dense (sigmoid)"), 9);

  // The modules hold exactly what the description lists, tensor by tensor.
  const std::shared_ptr<HeadImpl> head = make_head(Architecture::kCnnRnn, 3, 1);
  std::map<std::string, int64_t> sizes;
  for (const auto& p : head->named_parameters()) sizes[p.key()] = p.value().numel();
  EXPECT_EQ(sizes["first_gru.weight_ih"], 24 * 1280);
  EXPECT_EQ(sizes["first_gru.weight_hh"], 24 * 8);
  EXPECT_EQ(sizes["first_gru.bias_ih"] + sizes["first_gru.bias_hh"], 48);
  EXPECT_EQ(sizes["second_gru.weight_ih"] + sizes["second_gru.weight_hh"], 18 * 8 + 18 * 6);
  EXPECT_EQ(sizes["hidden.weight"], 6 * 8);
  EXPECT_EQ(sizes["output.weight"], 8 * 3);
  EXPECT_EQ(parameter_count(*head), model.trainable);
  for (const int classes : {2, 3, 4}) {
    for (const Architecture a : {Architecture::kImage, Architecture::kCnnRnn, Architecture::kVideoToImage,
                                 Architecture::kImageToVideo}) {
      EXPECT_EQ(parameter_count(*make_head(a, classes, 1)), describe_model(a, classes).trainable);
    }
  }
}

TEST(HeadParameters, DescriptionListsTheFrozenBackbone) {
  for (const Architecture a : {Architecture::kImage, Architecture::kCnnRnn}) {
    const ModelDescription model = describe_model(a, 2);
    EXPECT_EQ(model.layers.front().frozen, 4007548);  // torchvision efficientnet_b0().features
    EXPECT_EQ(model.frozen, 4007548);
    EXPECT_EQ(model.total(), model.trainable + 4007548);
  }
  const std::string text = describe_model(Architecture::kImage, 2).text();
  EXPECT_NE(text.find("4,007,548"), std::string::npos) << text;
  EXPECT_NE(text.find("4,008,829"), std::string::npos) << text;  // 4,007,548 + 1,281
  EXPECT_THROW(describe_model(Architecture::kImage, 1), ConfigError);
  EXPECT_THROW(parse_architecture("resnet"), ConfigError);
  EXPECT_EQ(parse_architecture("image_to_video"), Architecture::kImageToVideo);
}

TEST(HeadInitialisation, KerasDefaultsFromAnExplicitSeed) {
  const std::shared_ptr<HeadImpl> head = make_head(Architecture::kCnnRnn, 3, 77);
  for (const auto& p : head->named_parameters()) {
    const std::string& name = p.key();
    const torch::Tensor& value = p.value();
    if (name.find("bias") != std::string::npos) {
      EXPECT_EQ(value.abs().max().item<float>(), 0.0f) << name;
    } else if (name.find("weight_hh") != std::string::npos) {
      // Orthonormal columns: W^T W = I.
      const torch::Tensor gram = value.t().matmul(value);
      EXPECT_TRUE(torch::allclose(gram, torch::eye(value.size(1)), 1e-5, 1e-5)) << name;
    } else {
      const double limit = std::sqrt(6.0 / static_cast<double>(value.size(0) + value.size(1)));
      EXPECT_LE(value.abs().max().item<double>(), limit) << name;
      EXPECT_GT(value.abs().max().item<double>(), 0.9 * limit) << name;  // spans the range
    }
  }
  const auto same = make_head(Architecture::kCnnRnn, 3, 77), other = make_head(Architecture::kCnnRnn, 3, 78);
  for (size_t i = 0; i < head->parameters().size(); ++i) {
    EXPECT_TRUE(torch::equal(head->parameters()[i], same->parameters()[i]));
  }
  EXPECT_FALSE(torch::equal(head->parameters()[0], other->parameters()[0]));
}

TEST(HeadInitialisation, DoesNotTouchTheGlobalGenerator) {
  torch::manual_seed(5);
  const torch::Tensor expected = torch::rand({4});
  torch::manual_seed(5);
  make_head(Architecture::kCnnRnn, 2, 1);
  EXPECT_TRUE(torch::equal(torch::rand({4}), expected));
}

// Keras' GRU cell with reset_after=True, written out from its definition
// with differentiable tensor operations, on LibTorch-layout weights (gate
// blocks r, z, n). Returns every step's state.
torch::Tensor keras_gru_states(const torch::Tensor& x, const torch::Tensor& w_ih, const torch::Tensor& w_hh,
                               const torch::Tensor& b_ih, const torch::Tensor& b_hh) {
  const int64_t units = w_hh.size(1);
  torch::Tensor h = torch::zeros({x.size(0), units});
  std::vector<torch::Tensor> states;
  for (int64_t t = 0; t < x.size(1); ++t) {
    const torch::Tensor input_part = x.select(1, t).matmul(w_ih.t()) + b_ih;
    const torch::Tensor recurrent_part = h.matmul(w_hh.t()) + b_hh;
    const auto xi = input_part.chunk(3, 1), hi = recurrent_part.chunk(3, 1);
    const torch::Tensor reset = torch::sigmoid(xi[0] + hi[0]);
    const torch::Tensor update = torch::sigmoid(xi[1] + hi[1]);
    const torch::Tensor candidate = torch::tanh(xi[2] + reset * hi[2]);  // reset after the recurrent matmul
    h = update * h + (1 - update) * candidate;
    states.push_back(h);
  }
  return torch::stack(states, 1);
}

TEST(HeadArithmetic, GruLayerComputesKerasResetAfterCellAndItsGradients) {
  at::Generator generator = at::detail::createCPUGenerator(4);
  GruLayer gru(40, 6, generator);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : gru.parameters()) p.uniform_(-0.5, 0.5, generator);  // non-zero biases too
  }
  const torch::Tensor x = torch::empty({5, 9, 40}).normal_(0, 1, generator).requires_grad_(true);
  const torch::Tensor loss_weights = torch::empty({5, 9, 6}).normal_(0, 1, generator);
  auto p = gru.named_parameters();

  const auto [states, last] = gru.forward(x);
  (states * loss_weights).sum().backward();
  std::vector<torch::Tensor> gradients = {x.grad().clone()};
  for (const char* name : {"weight_ih", "weight_hh", "bias_ih", "bias_hh"}) gradients.push_back(p[name].grad().clone());
  x.mutable_grad().zero_();
  for (auto& parameter : gru.parameters()) parameter.mutable_grad().zero_();

  const torch::Tensor expected = keras_gru_states(x, p["weight_ih"], p["weight_hh"], p["bias_ih"], p["bias_hh"]);
  (expected * loss_weights).sum().backward();
  std::vector<torch::Tensor> expected_gradients = {x.grad()};
  for (const char* name : {"weight_ih", "weight_hh", "bias_ih", "bias_hh"}) expected_gradients.push_back(p[name].grad());

  EXPECT_TRUE(torch::allclose(states, expected, 1e-5, 1e-5));
  EXPECT_TRUE(torch::equal(last, states.select(1, 8)));
  const char* names[] = {"input", "weight_ih", "weight_hh", "bias_ih", "bias_hh"};
  for (size_t i = 0; i < gradients.size(); ++i) {
    EXPECT_TRUE(torch::allclose(gradients[i], expected_gradients[i], 1e-4, 1e-5))
        << names[i] << " differs by " << (gradients[i] - expected_gradients[i]).abs().max().item<double>();
  }
}

// M16's images are still sequences (15 equal frames); the head projects them
// once instead of 15 times. Against the whole head written out by hand with
// the same dropout masks, on a batch mixing still and moving sequences, the
// logits and every parameter's gradient must agree.
TEST(HeadArithmetic, StillSequencesGiveTheSameLogitsAndGradientsAsTheWholeHead) {
  const std::shared_ptr<HeadImpl> head = make_head(Architecture::kImageToVideo, 3, 21);
  at::Generator generator = at::detail::createCPUGenerator(9);
  torch::Tensor x = torch::empty({7, 15, 1280}).normal_(0, 1, generator);
  for (const int64_t still : {0, 3, 4, 6}) x[still].copy_(x[still][0].unsqueeze(0).expand({15, 1280}));
  const torch::Tensor targets = torch::tensor({0, 1, 2, 1, 0, 2, 1}, torch::kLong);
  auto p = head->named_parameters();

  auto gradients_of = [&](const torch::Tensor& loss) {
    for (auto& parameter : head->parameters()) {
      if (parameter.grad().defined()) parameter.mutable_grad().zero_();
    }
    loss.backward();
    std::map<std::string, torch::Tensor> gradients;
    for (const auto& parameter : p) gradients[parameter.key()] = parameter.value().grad().clone();
    return gradients;
  };
  // By hand: every frame projected, Keras' GRU cell step by step.
  auto by_hand = [&](DropoutMasks* masks) {
    auto mask = [&](at::IntArrayRef shape) { return masks != nullptr ? masks->bernoulli(shape, 0.8) : torch::ones(shape); };
    const torch::Tensor first = keras_gru_states(x * mask({7, 1, 1280}), p["first_gru.weight_ih"], p["first_gru.weight_hh"],
                                                 p["first_gru.bias_ih"], p["first_gru.bias_hh"]);
    const torch::Tensor second = keras_gru_states(first * mask({7, 1, 8}), p["second_gru.weight_ih"],
                                                  p["second_gru.weight_hh"], p["second_gru.bias_ih"], p["second_gru.bias_hh"]);
    const torch::Tensor last = second.select(1, 14) * mask({7, 6});
    const torch::Tensor hidden = torch::relu(last.matmul(p["hidden.weight"].t()) + p["hidden.bias"]);
    return hidden.matmul(p["output.weight"].t()) + p["output.bias"];
  };

  for (const bool training : {false, true}) {
    DropoutMasks masks(5), same_masks(5);
    const torch::Tensor logits = head->logits(x, training ? &masks : nullptr);
    const auto gradients = gradients_of(classification_loss(logits, targets, 3));
    const torch::Tensor expected = by_hand(training ? &same_masks : nullptr);
    const auto expected_gradients = gradients_of(classification_loss(expected, targets, 3));
    EXPECT_TRUE(torch::allclose(logits, expected, 1e-4, 1e-5)) << "training " << training << ": logits differ by "
                                                                << (logits - expected).abs().max().item<double>();
    for (const auto& [name, gradient] : gradients) {
      EXPECT_TRUE(torch::allclose(gradient, expected_gradients.at(name), 1e-3, 1e-6))
          << "training " << training << ": " << name << " differs by "
          << (gradient - expected_gradients.at(name)).abs().max().item<double>();
    }
  }
}

TEST(HeadArithmetic, DenseLayerIsAnAffineMap) {
  at::Generator generator = at::detail::createCPUGenerator(4);
  DenseLayer dense(3, 2, generator);
  torch::NoGradGuard no_grad;
  auto p = dense.named_parameters();
  p["bias"].copy_(torch::tensor({1.0f, -1.0f}));
  const torch::Tensor x = torch::tensor({{1.0f, 2.0f, 3.0f}});
  const torch::Tensor w = p["weight"];
  const float expected0 = 1.0f + w[0][0].item<float>() + 2 * w[0][1].item<float>() + 3 * w[0][2].item<float>();
  EXPECT_NEAR(dense.forward(x)[0][0].item<float>(), expected0, 1e-6);
}

// Exposes the protected dropout to check its masks.
class DropoutProbe : public HeadImpl {
 public:
  DropoutProbe() : HeadImpl(Architecture::kImage, 2, 0.2, HeadInputs{}) {}
  torch::Tensor logits(const torch::Tensor& inputs, DropoutMasks*) override { return inputs; }
  using HeadImpl::drop;
};

TEST(HeadDropout, OneMaskPerSequenceAndFeatureSharedOverTime) {
  DropoutProbe probe;
  DropoutMasks masks(3);
  const torch::Tensor ones = torch::ones({64, 15, 100});
  const torch::Tensor dropped = probe.drop(ones, {64, 1, 100}, &masks);
  // Kept values are scaled by 1 / 0.8, dropped ones are 0.
  EXPECT_TRUE(torch::logical_or(dropped == 0, (dropped - 1.25).abs() < 1e-6).all().item<bool>());
  for (int64_t t = 1; t < 15; ++t) EXPECT_TRUE(torch::equal(dropped.select(1, t), dropped.select(1, 0)));
  EXPECT_NEAR((dropped.select(1, 0) != 0).to(torch::kFloat64).mean().item<double>(), 0.8, 0.03);
  // Over many values the kept fraction is 0.8 (binomial sd 0.0004 here).
  EXPECT_NEAR((masks.bernoulli({1000, 1001}, 0.8) != 0).to(torch::kFloat64).mean().item<double>(), 0.8, 0.002);
  EXPECT_TRUE(torch::equal(probe.drop(ones, {64, 1, 100}, nullptr), ones));  // evaluation
  DropoutMasks again(3), other(4);
  EXPECT_TRUE(torch::equal(probe.drop(ones, {64, 1, 100}, &again), dropped));
  EXPECT_FALSE(torch::equal(probe.drop(ones, {64, 1, 100}, &other), dropped));
  // The next mask of a stream differs from its first.
  EXPECT_FALSE(torch::equal(probe.drop(ones, {64, 1, 100}, &masks), dropped));
}

TEST(HeadWeights, BytesRoundTripAndRejectAnotherShape) {
  const std::shared_ptr<HeadImpl> head = make_head(Architecture::kCnnRnn, 3, 11);
  const std::string bytes = save_head_weights(*head);
  const std::shared_ptr<HeadImpl> loaded = load_head(Architecture::kCnnRnn, 3, bytes);
  const torch::Tensor x = torch::randn({4, 15, 1280});
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::equal(head->logits(x, nullptr), loaded->logits(x, nullptr)));
  EXPECT_THROW(load_head(Architecture::kCnnRnn, 2, bytes), Error);
  EXPECT_THROW(load_head(Architecture::kImage, 3, bytes), Error);
  EXPECT_THROW(load_head(Architecture::kImage, 3, "not an archive"), Error);
}

TEST(HeadOutputs, ProbabilitiesAndInputShapes) {
  const torch::Tensor binary = class_probabilities(torch::tensor({{0.0f}, {2.0f}}), 2);
  EXPECT_EQ(binary.sizes(), (std::vector<int64_t>{2, 2}));
  EXPECT_DOUBLE_EQ(binary[0][1].item<double>(), 0.5);
  EXPECT_DOUBLE_EQ(binary[1][1].item<double>(), 1 / (1 + std::exp(-2.0)));
  EXPECT_DOUBLE_EQ((binary[1][0] + binary[1][1]).item<double>(), 1.0);
  const torch::Tensor three = class_probabilities(torch::tensor({{1.0f, 2.0f, 3.0f}}), 3);
  EXPECT_NEAR(three.sum().item<double>(), 1.0, 1e-12);

  const torch::Tensor video = torch::randn({2, 15, 1280});
  const torch::Tensor maximum = maximum_over_frames(video);
  EXPECT_EQ(maximum.sizes(), (std::vector<int64_t>{2, 1280}));
  EXPECT_EQ(maximum[1][7].item<float>(), video[1].select(1, 7).max().item<float>());
  const torch::Tensor image = torch::randn({3, 1280});
  const torch::Tensor sequence = static_sequences(image);
  EXPECT_EQ(sequence.sizes(), (std::vector<int64_t>{3, 15, 1280}));
  EXPECT_TRUE(torch::equal(sequence.select(1, 14), image));
}

}  // namespace
}  // namespace popsweep::train
