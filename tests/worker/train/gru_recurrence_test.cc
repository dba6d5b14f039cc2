// The hand-written recurrence node (CPU) against the same cell as tensor
// operations with autograd's backward (what other devices run): the states
// and the gradients of all three inputs must agree.
#include "worker/train/gru_recurrence.h"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

namespace popsweep::train {
namespace {

TEST(GruRecurrence, HandWrittenBackwardMatchesAutogradOnTensorOps) {
  at::Generator generator = at::detail::createCPUGenerator(12);
  const int64_t items = 6, steps = 11, units = 5;
  auto leaf = [&](std::vector<int64_t> shape) {
    return torch::empty(shape).uniform_(-1, 1, generator).requires_grad_(true);
  };
  const torch::Tensor a = leaf({items, steps, 3 * units}), w = leaf({3 * units, units}), b = leaf({3 * units});
  const torch::Tensor loss_weights = torch::empty({items, steps, units}).normal_(0, 1, generator);

  const torch::Tensor states = gru_recurrence(a, w, b);
  (states * loss_weights).sum().backward();
  const std::vector<torch::Tensor> gradients = {a.grad().clone(), w.grad().clone(), b.grad().clone()};
  for (const torch::Tensor& input : {a, w, b}) input.mutable_grad().zero_();

  const torch::Tensor expected = gru_recurrence_by_tensor_ops(a, w, b);
  (expected * loss_weights).sum().backward();
  EXPECT_TRUE(torch::allclose(states, expected, 1e-5, 1e-6)) << (states - expected).abs().max().item<double>();
  const char* names[] = {"projected inputs", "recurrent weight", "recurrent bias"};
  const std::vector<torch::Tensor> expected_gradients = {a.grad(), w.grad(), b.grad()};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_TRUE(torch::allclose(gradients[i], expected_gradients[i], 1e-4, 1e-5))
        << names[i] << " differs by " << (gradients[i] - expected_gradients[i]).abs().max().item<double>();
  }
  EXPECT_THROW(gru_recurrence(a.detach().to(torch::kFloat64), w, b), std::exception);
}

}  // namespace
}  // namespace popsweep::train
