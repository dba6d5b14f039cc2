// Backbone passes of a fixed number of rows. oneDNN picks its convolution
// algorithms by batch size (and thread count), and different algorithms
// round differently, so a row's features would depend on the rows it came
// with. Every pass here has exactly `rows` rows, the last slice padded with
// zeros whose outputs are dropped.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <functional>

namespace popsweep::nets {

// 16 rows on a CPU (also the fastest size measured, docs/BENCHMARKS.md), 128 on a GPU.
std::int64_t fixed_slice_rows(const torch::Device& device);

// `run` over `inputs` (moved to `device`) in slices of exactly `rows` rows.
torch::Tensor run_in_fixed_slices(const torch::Tensor& inputs, std::int64_t rows, const torch::Device& device,
                                  const std::function<torch::Tensor(const torch::Tensor&)>& run);

}  // namespace popsweep::nets
