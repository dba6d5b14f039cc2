#include "worker/train/gru_recurrence.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "common/error.h"

namespace popsweep::train {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

float sigmoid(float value) { return 1.0f / (1.0f + std::exp(-value)); }

// Saved per item and step for the backward pass: r, z, n and g_n.
constexpr int64_t kSavedGates = 4;

class GruRecurrence : public torch::autograd::Function<GruRecurrence> {
 public:
  static torch::Tensor forward(AutogradContext* context, const torch::Tensor& projected, const torch::Tensor& weight,
                               const torch::Tensor& bias) {
    const torch::Tensor a = projected.contiguous(), w = weight.contiguous(), b = bias.contiguous();
    const int64_t items = a.size(0), steps = a.size(1), units = w.size(1);
    torch::Tensor states = torch::empty({items, steps, units}, a.options());
    torch::Tensor gates = torch::empty({items, steps, kSavedGates * units}, a.options());
    const float *a_data = a.data_ptr<float>(), *w_data = w.data_ptr<float>(), *b_data = b.data_ptr<float>();
    float *h_data = states.data_ptr<float>(), *gate_data = gates.data_ptr<float>();
    std::vector<float> recurrent(static_cast<size_t>(3 * units));
    for (int64_t item = 0; item < items; ++item) {
      for (int64_t t = 0; t < steps; ++t) {
        const float* previous = t > 0 ? h_data + (item * steps + t - 1) * units : nullptr;
        for (int64_t g = 0; g < 3 * units; ++g) {
          float sum = b_data[g];
          if (previous != nullptr) {
            for (int64_t k = 0; k < units; ++k) sum += w_data[g * units + k] * previous[k];
          }
          recurrent[static_cast<size_t>(g)] = sum;
        }
        const float* input = a_data + (item * steps + t) * 3 * units;
        float* saved = gate_data + (item * steps + t) * kSavedGates * units;
        float* h = h_data + (item * steps + t) * units;
        for (int64_t u = 0; u < units; ++u) {
          const float r = sigmoid(input[u] + recurrent[static_cast<size_t>(u)]);
          const float z = sigmoid(input[units + u] + recurrent[static_cast<size_t>(units + u)]);
          const float g_n = recurrent[static_cast<size_t>(2 * units + u)];
          const float n = std::tanh(input[2 * units + u] + r * g_n);
          h[u] = (1 - z) * n + z * (previous != nullptr ? previous[u] : 0.0f);
          saved[u] = r;
          saved[units + u] = z;
          saved[2 * units + u] = n;
          saved[3 * units + u] = g_n;
        }
      }
    }
    context->save_for_backward({w, states, gates});
    return states;
  }

  static variable_list backward(AutogradContext* context, variable_list output_gradients) {
    const auto saved = context->get_saved_variables();
    const torch::Tensor &w = saved[0], &states = saved[1], &gates = saved[2];
    const torch::Tensor state_gradient = output_gradients[0].contiguous();
    const int64_t items = states.size(0), steps = states.size(1), units = states.size(2);
    torch::Tensor projected_gradient = torch::empty({items, steps, 3 * units}, states.options());
    torch::Tensor weight_gradient = torch::zeros_like(w);
    torch::Tensor bias_gradient = torch::zeros({3 * units}, states.options());
    const float *w_data = w.data_ptr<float>(), *h_data = states.data_ptr<float>(), *gate_data = gates.data_ptr<float>();
    const float* dh_data = state_gradient.data_ptr<float>();
    float *da_data = projected_gradient.data_ptr<float>(), *dw_data = weight_gradient.data_ptr<float>();
    float* db_data = bias_gradient.data_ptr<float>();
    std::vector<float> carried(static_cast<size_t>(units)), dg(static_cast<size_t>(3 * units));
    for (int64_t item = 0; item < items; ++item) {
      std::fill(carried.begin(), carried.end(), 0.0f);
      for (int64_t t = steps - 1; t >= 0; --t) {
        const float* previous = t > 0 ? h_data + (item * steps + t - 1) * units : nullptr;
        const float* saved = gate_data + (item * steps + t) * kSavedGates * units;
        const float* incoming = dh_data + (item * steps + t) * units;
        float* da = da_data + (item * steps + t) * 3 * units;
        for (int64_t u = 0; u < units; ++u) {
          const float r = saved[u], z = saved[units + u], n = saved[2 * units + u], g_n = saved[3 * units + u];
          const float h_previous = previous != nullptr ? previous[u] : 0.0f;
          const float dh = incoming[u] + carried[static_cast<size_t>(u)];
          const float dn_pre = dh * (1 - z) * (1 - n * n);             // through tanh
          const float dz_pre = dh * (h_previous - n) * z * (1 - z);     // through sigmoid
          const float dr_pre = dn_pre * g_n * r * (1 - r);
          da[u] = dr_pre;
          da[units + u] = dz_pre;
          da[2 * units + u] = dn_pre;
          dg[static_cast<size_t>(u)] = dr_pre;
          dg[static_cast<size_t>(units + u)] = dz_pre;
          dg[static_cast<size_t>(2 * units + u)] = dn_pre * r;
          carried[static_cast<size_t>(u)] = dh * z;  // the direct path h -> h'
        }
        // g = h W^T + b: gradients of W, b and of the previous state.
        for (int64_t g = 0; g < 3 * units; ++g) {
          const float d = dg[static_cast<size_t>(g)];
          db_data[g] += d;
          if (previous == nullptr) continue;
          for (int64_t k = 0; k < units; ++k) {
            dw_data[g * units + k] += d * previous[k];
            carried[static_cast<size_t>(k)] += d * w_data[g * units + k];
          }
        }
      }
    }
    return {projected_gradient, weight_gradient, bias_gradient};
  }
};

}  // namespace

// GCC 14 warns, at -O2 and above, inside libstdc++'s std::vector<bool>::reserve
// as LibTorch's autograd::Function::apply inlines it here (-Warray-bounds:
// "forming offset 8 is out of the bounds [0, 8]"; -Wstringop-overflow:
// "writing between 9 and 9223372036854775807 bytes into a region of size 8"),
// known false positives of GCC 14 on vector<bool>. The code is all in system
// headers, but the inlining chain runs through this function, so the
// warnings are ours to silence: here only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#endif
torch::Tensor gru_recurrence(const torch::Tensor& projected_inputs, const torch::Tensor& recurrent_weight,
                             const torch::Tensor& recurrent_bias) {
  const int64_t units = recurrent_weight.size(1);
  if (projected_inputs.dim() != 3 || projected_inputs.size(2) != 3 * units || recurrent_weight.size(0) != 3 * units ||
      recurrent_bias.numel() != 3 * units || projected_inputs.scalar_type() != torch::kFloat32) {
    throw Error("gru recurrence: expected float32 inputs [N, T, 3U] with weights [3U, U] and bias [3U], got " +
                c10::str(projected_inputs.sizes()) + " and " + c10::str(recurrent_weight.sizes()));
  }
  if (!projected_inputs.device().is_cpu()) {
    return gru_recurrence_by_tensor_ops(projected_inputs, recurrent_weight, recurrent_bias);
  }
  return GruRecurrence::apply(projected_inputs, recurrent_weight, recurrent_bias);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

torch::Tensor gru_recurrence_by_tensor_ops(const torch::Tensor& projected, const torch::Tensor& weight,
                                           const torch::Tensor& bias) {
  const int64_t units = weight.size(1);
  torch::Tensor h = torch::zeros({projected.size(0), units}, projected.options());
  std::vector<torch::Tensor> states;
  for (int64_t t = 0; t < projected.size(1); ++t) {
    const auto a = projected.select(1, t).chunk(3, 1);
    const auto g = torch::addmm(bias, h, weight.t()).chunk(3, 1);
    const torch::Tensor r = torch::sigmoid(a[0] + g[0]), z = torch::sigmoid(a[1] + g[1]);
    const torch::Tensor n = torch::tanh(a[2] + r * g[2]);
    h = (1 - z) * n + z * h;
    states.push_back(h);
  }
  return torch::stack(states, 1);
}

}  // namespace popsweep::train
