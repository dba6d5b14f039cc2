#include "reports/tsne.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

namespace popsweep::reports {
namespace {

torch::Tensor squared_distances(const torch::Tensor& x) {
  const torch::Tensor norms = x.pow(2).sum(1, true);
  return (norms + norms.t() - 2 * x.matmul(x.t())).clamp_min(0);
}

// Conditional probabilities p(j|i) whose entropy matches log(perplexity),
// found by bisection on each row's precision, all rows at once.
torch::Tensor conditional_affinities(const torch::Tensor& distances, double perplexity) {
  const int64_t n = distances.size(0);
  const double target = std::log(perplexity);
  torch::Tensor low = torch::full({n, 1}, -50.0, torch::kFloat64);  // log precision bounds
  torch::Tensor high = torch::full({n, 1}, 50.0, torch::kFloat64);
  const torch::Tensor off_diagonal = 1 - torch::eye(n, torch::kFloat64);
  torch::Tensor p;
  for (int step = 0; step < 64; ++step) {
    const torch::Tensor log_precision = (low + high) / 2;
    const torch::Tensor precision = log_precision.exp();
    // Subtract each row's smallest distance before exponentiating: the ratios
    // are unchanged and nothing underflows to an all-zero row.
    const torch::Tensor shifted =
        distances - std::get<0>((distances + torch::eye(n, torch::kFloat64) * 1e300).min(1, true));
    torch::Tensor weights = (-shifted * precision).exp() * off_diagonal;
    const torch::Tensor sums = weights.sum(1, true).clamp_min(1e-300);
    p = weights / sums;
    const torch::Tensor entropy = -(p * p.clamp_min(1e-300).log()).sum(1, true);
    // Entropy falls as precision rises.
    const torch::Tensor too_flat = entropy > target;
    low = torch::where(too_flat, log_precision, low);
    high = torch::where(too_flat, high, log_precision);
  }
  return p;
}

}  // namespace

torch::Tensor tsne_embed(const torch::Tensor& points, const TsneSettings& settings) {
  torch::NoGradGuard no_grad;
  const torch::Tensor x = points.to(torch::kFloat64).cpu();
  const int64_t n = x.size(0);
  if (n < 2) return torch::zeros({n, 2}, torch::kFloat64);
  const double perplexity = std::min(settings.perplexity, static_cast<double>(n - 1) / 3.0);
  torch::Tensor p = conditional_affinities(squared_distances(x), std::max(perplexity, 1.0));
  p = ((p + p.t()) / (2.0 * static_cast<double>(n))).clamp_min(1e-12);

  at::Generator generator = at::detail::createCPUGenerator(settings.seed);
  torch::Tensor y = torch::empty({n, 2}, torch::kFloat64).normal_(0, 1e-4, generator);
  torch::Tensor update = torch::zeros_like(y);
  torch::Tensor gains = torch::ones_like(y);
  const double learning_rate =
      settings.learning_rate > 0 ? settings.learning_rate
                                 : std::max(static_cast<double>(n) / settings.early_exaggeration / 4.0, 50.0);
  const torch::Tensor off_diagonal = 1 - torch::eye(n, torch::kFloat64);
  for (int iteration = 0; iteration < settings.iterations; ++iteration) {
    const bool early = iteration < settings.exaggeration_iterations;
    const torch::Tensor attraction = early ? p * settings.early_exaggeration : p;
    const torch::Tensor kernel = (1.0 / (1.0 + squared_distances(y))) * off_diagonal;
    const torch::Tensor q = (kernel / kernel.sum()).clamp_min(1e-12);
    const torch::Tensor w = (attraction - q) * kernel;
    const torch::Tensor gradient = 4.0 * (w.sum(1, true) * y - w.matmul(y));
    // Delta-bar-delta gains: grow where the step keeps its direction.
    const torch::Tensor same_sign = (gradient > 0) == (update > 0);
    gains = torch::where(same_sign, gains * 0.8, gains + 0.2).clamp_min(0.01);
    const double momentum = early ? 0.5 : 0.8;
    update = momentum * update - learning_rate * gains * gradient;
    y = y + update;
    y = y - y.mean(0, true);
  }
  return y;
}

std::vector<MapRegion> unusual_regions(const torch::Tensor& coordinates, const std::vector<int>& labels, int grid,
                                       int minimum_points, double z_threshold) {
  std::vector<MapRegion> regions;
  const int64_t n = coordinates.size(0);
  if (n == 0 || static_cast<int64_t>(labels.size()) != n) return regions;
  const torch::Tensor c = coordinates.to(torch::kFloat64).cpu().contiguous();
  const auto xy = c.accessor<double, 2>();
  double min_x = xy[0][0], max_x = xy[0][0], min_y = xy[0][1], max_y = xy[0][1];
  double mean = 0, squares = 0;
  for (int64_t i = 0; i < n; ++i) {
    min_x = std::min(min_x, xy[i][0]), max_x = std::max(max_x, xy[i][0]);
    min_y = std::min(min_y, xy[i][1]), max_y = std::max(max_y, xy[i][1]);
    mean += labels[static_cast<size_t>(i)];
    squares += static_cast<double>(labels[static_cast<size_t>(i)]) * labels[static_cast<size_t>(i)];
  }
  mean /= static_cast<double>(n);
  const double deviation = std::sqrt(std::max(0.0, squares / static_cast<double>(n) - mean * mean));
  if (deviation == 0) return regions;
  const double cell_w = (max_x - min_x) / grid + 1e-12, cell_h = (max_y - min_y) / grid + 1e-12;
  std::vector<int> count(static_cast<size_t>(grid * grid), 0);
  std::vector<double> sum(static_cast<size_t>(grid * grid), 0);
  for (int64_t i = 0; i < n; ++i) {
    const int gx = std::min(grid - 1, static_cast<int>((xy[i][0] - min_x) / cell_w));
    const int gy = std::min(grid - 1, static_cast<int>((xy[i][1] - min_y) / cell_h));
    ++count[static_cast<size_t>(gy * grid + gx)];
    sum[static_cast<size_t>(gy * grid + gx)] += labels[static_cast<size_t>(i)];
  }
  for (int gy = 0; gy < grid; ++gy) {
    for (int gx = 0; gx < grid; ++gx) {
      const int k = gy * grid + gx;
      if (count[static_cast<size_t>(k)] < minimum_points) continue;
      const double cell_mean = sum[static_cast<size_t>(k)] / count[static_cast<size_t>(k)];
      const double z = (cell_mean - mean) / (deviation / std::sqrt(static_cast<double>(count[static_cast<size_t>(k)])));
      if (std::fabs(z) < z_threshold) continue;
      regions.push_back({min_x + gx * cell_w, min_y + gy * cell_h, min_x + (gx + 1) * cell_w,
                         min_y + (gy + 1) * cell_h, count[static_cast<size_t>(k)], cell_mean, z});
    }
  }
  return regions;
}

}  // namespace popsweep::reports
