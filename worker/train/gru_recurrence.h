// The recurrent half of a GRU layer as one autograd node with a hand-written
// backward pass (backpropagation through time on raw float loops).
//
// Why: with 8 units the recurrence is a few hundred multiply-adds per item
// and step, but LibTorch's at::gru runs it as about a dozen tensor operations
// per step, each paying dispatcher and autograd overhead; for M15's model
// that overhead was 70% of a training step. Here one node does all steps.
// The input projection (the expensive part) stays an ordinary autograd
// operation, see GruLayer.
//
// The cell is Keras' GRU with reset_after=True, which is also LibTorch's,
// gate blocks in LibTorch's order (r, z, n):
//   a = x W_ih^T + b_ih                      (given, [N, T, 3U])
//   g = h W_hh^T + b_hh
//   r = sigmoid(a_r + g_r), z = sigmoid(a_z + g_z)
//   n = tanh(a_n + r * g_n)
//   h' = (1 - z) * n + z * h,   h_0 = 0
// The loops run in a fixed order on one thread, so results do not depend on
// the thread count. On other devices (CUDA) the same cell runs as tensor
// operations step by step.
#pragma once

#include <torch/types.h>

namespace popsweep::train {

// projected_inputs [N, T, 3U], recurrent_weight [3U, U], recurrent_bias [3U]
// (float32) -> every step's state [N, T, U]. Differentiable in all three.
torch::Tensor gru_recurrence(const torch::Tensor& projected_inputs, const torch::Tensor& recurrent_weight,
                             const torch::Tensor& recurrent_bias);

// The same cell as ordinary tensor operations, one step at a time, with the
// backward pass left to autograd: what runs on devices other than the CPU
// (a GPU runs each operation as a kernel).
torch::Tensor gru_recurrence_by_tensor_ops(const torch::Tensor& projected_inputs,
                                           const torch::Tensor& recurrent_weight,
                                           const torch::Tensor& recurrent_bias);

}  // namespace popsweep::train
