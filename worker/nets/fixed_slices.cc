#include "worker/nets/fixed_slices.h"

#include <torch/torch.h>  // explicit, so the build gives this file the precompiled header

#include <vector>

namespace popsweep::nets {
namespace {

constexpr std::int64_t kCpuSliceRows = 16;
constexpr std::int64_t kGpuSliceRows = 128;

}  // namespace

std::int64_t fixed_slice_rows(const torch::Device& device) {
  return device.is_cpu() ? kCpuSliceRows : kGpuSliceRows;
}

torch::Tensor run_in_fixed_slices(const torch::Tensor& inputs, std::int64_t rows, const torch::Device& device,
                                  const std::function<torch::Tensor(const torch::Tensor&)>& run) {
  std::vector<torch::Tensor> outputs;
  for (std::int64_t start = 0; start < inputs.size(0); start += rows) {
    const std::int64_t real = std::min(rows, inputs.size(0) - start);
    torch::Tensor slice = inputs.slice(0, start, start + real).to(device);
    if (real < rows) {
      std::vector<std::int64_t> padding_shape = slice.sizes().vec();
      padding_shape[0] = rows - real;
      slice = torch::cat({slice, torch::zeros(padding_shape, slice.options())});
    }
    outputs.push_back(run(slice).slice(0, 0, real));
  }
  return torch::cat(outputs);
}

}  // namespace popsweep::nets
