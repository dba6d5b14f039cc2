// Exact t-SNE (van der Maaten and Hinton, 2008) in LibTorch, for the map of
// image and video-thumbnail embeddings (M20). Exact is O(N^2) in time and
// memory, which is fine up to a few thousand points (the paper's profile has
// about two thousand media) and needs no approximation to check against.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <vector>

namespace popsweep::reports {

struct TsneSettings {
  double perplexity = 30;
  int iterations = 1000;
  int exaggeration_iterations = 250;
  double early_exaggeration = 12;
  double learning_rate = 0;  // 0: sklearn's "auto", max(N / early_exaggeration / 4, 50)
  std::uint64_t seed = 0;
};

// Rows of `points` -> [N, 2] float64 coordinates.
torch::Tensor tsne_embed(const torch::Tensor& points, const TsneSettings& settings);

// Cells of a grid over the map whose mean label is unusually high or low:
// |mean - overall mean| / (std / sqrt(n)) > z_threshold, with at least
// `minimum_points` points in the cell.
struct MapRegion {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  int points = 0;
  double mean_label = 0;
  double z_score = 0;
};
std::vector<MapRegion> unusual_regions(const torch::Tensor& coordinates, const std::vector<int>& labels,
                                       int grid = 8, int minimum_points = 8, double z_threshold = 2.5);

}  // namespace popsweep::reports
