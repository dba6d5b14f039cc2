// M7's search, checked against a direct double loop over every pair.
#include "worker/features/nearest_neighbours.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

namespace popsweep::features {
namespace {

double direct_distance(const torch::Tensor& a, int i, int j) {
  double sum = 0;
  for (int64_t k = 0; k < a.size(1); ++k) {
    const double d = a[i][k].item<double>() - a[j][k].item<double>();
    sum += d * d;
  }
  return std::sqrt(sum);
}

TEST(NearestNeighbours, MatchesDirectComputationAcrossBlocks) {
  const torch::Tensor points = torch::randn({37, 5}, torch::TensorOptions().dtype(torch::kFloat32))
                                   .mul(3);  // global RNG: fine in a test
  points[20].copy_(points[3] + 0.001);   // a near duplicate
  const NearestNeighbours found = nearest_neighbours(points, 8);  // 5 blocks
  for (int i = 0; i < 37; ++i) {
    double best = 1e300;
    int best_j = -1;
    for (int j = 0; j < 37; ++j) {
      if (j == i) continue;
      const double d = direct_distance(points, i, j);
      if (d < best) best = d, best_j = j;
    }
    EXPECT_NEAR(found.distance[i], best, 1e-5 * std::max(1.0, best)) << i;
    EXPECT_EQ(found.index[i], best_j) << i;
  }
  EXPECT_EQ(found.index[3], 20);
  EXPECT_EQ(found.index[20], 3);
}

TEST(NearestNeighbours, PairsWithinThresholdAreExactlyTheClosePairs) {
  const torch::Tensor points = torch::tensor({{0.0, 0.0}, {0.0, 1.0}, {5.0, 5.0}, {5.0, 5.5}, {9.0, 0.0}});
  const std::vector<NeighbourPair> pairs = pairs_within(points, 1.01, 2);
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[0].first, 2);
  EXPECT_EQ(pairs[0].second, 3);
  EXPECT_NEAR(pairs[0].distance, 0.5, 1e-12);
  EXPECT_EQ(pairs[1].first, 0);
  EXPECT_EQ(pairs[1].second, 1);
  EXPECT_NEAR(pairs[1].distance, 1.0, 1e-12);
}

TEST(NearestNeighbours, SingleRowHasNoNeighbour) {
  const NearestNeighbours found = nearest_neighbours(torch::ones({1, 4}));
  EXPECT_EQ(found.index[0], -1);
  EXPECT_TRUE(std::isinf(found.distance[0]));
}

}  // namespace
}  // namespace popsweep::features
