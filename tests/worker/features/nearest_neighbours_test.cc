// M7's search, checked against a direct double loop over every pair.
#include "worker/features/nearest_neighbours.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

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

// M7-M9 across media types: images against video thumbnails, every pair
// (i, j) under the threshold found by the blocked search, none other.
TEST(NearestNeighbours, PairsBetweenTwoSetsMatchADoubleLoop) {
  const torch::Tensor images = torch::randn({23, 6}).mul(2);
  torch::Tensor thumbnails = torch::randn({9, 6}).mul(2);
  thumbnails[4].copy_(images[17] + 0.01);
  thumbnails[7].copy_(images[2] - 0.02);
  const double threshold = 1.5;
  const std::vector<NeighbourPair> pairs = pairs_between(images, thumbnails, threshold, 5);
  std::vector<std::pair<int, int>> expected;
  for (int i = 0; i < 23; ++i) {
    for (int j = 0; j < 9; ++j) {
      double sum = 0;
      for (int64_t k = 0; k < 6; ++k) {
        const double d = images[i][k].item<double>() - thumbnails[j][k].item<double>();
        sum += d * d;
      }
      if (std::sqrt(sum) < threshold) expected.push_back({i, j});
    }
  }
  ASSERT_EQ(pairs.size(), expected.size());
  for (size_t k = 0; k < pairs.size(); ++k) {
    EXPECT_NE(std::find(expected.begin(), expected.end(), std::make_pair(pairs[k].first, pairs[k].second)),
              expected.end());
    if (k > 0) {
      EXPECT_LE(pairs[k - 1].distance, pairs[k].distance);
    }
  }
  ASSERT_GE(pairs.size(), 2u);
  EXPECT_TRUE(std::make_pair(pairs[0].first, pairs[0].second) == std::make_pair(17, 4));
  EXPECT_TRUE(pairs_between(images, torch::zeros({0, 6}), threshold).empty());
}

TEST(NearestNeighbours, SingleRowHasNoNeighbour) {
  const NearestNeighbours found = nearest_neighbours(torch::ones({1, 4}));
  EXPECT_EQ(found.index[0], -1);
  EXPECT_TRUE(std::isinf(found.distance[0]));
}

// Each media's rank along a sorted list of pairs, as the dedup stage first
// limited widened candidates: a pair is kept when it is among the `limit`
// first pairs of its first media, or (`both`: and) of its second.
std::vector<NeighbourPair> ranked_along_the_list(const std::vector<NeighbourPair>& sorted, int limit,
                                                 bool both, int second_offset) {
  std::map<int, int> seen;
  std::vector<NeighbourPair> kept;
  for (const NeighbourPair& p : sorted) {
    const bool first_close = seen[p.first]++ < limit, second_close = seen[second_offset + p.second]++ < limit;
    if (both ? first_close && second_close : first_close || second_close) kept.push_back(p);
  }
  return kept;
}

bool same_pairs(const std::vector<NeighbourPair>& a, const std::vector<NeighbourPair>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t k = 0; k < a.size(); ++k) {
    if (a[k].first != b[k].first || a[k].second != b[k].second || a[k].distance != b[k].distance)
      return false;
  }
  return true;
}

// Verification's widened search ranks each media's partners while the
// distances are computed: the same pairs, in the same order, as ranking
// along the full sorted list, with ties (repeated points, so equal
// distances) and a radius that leaves some media with fewer partners than
// the limit.
TEST(NearestNeighbours, ClosestPairsAreThoseRankedAlongTheSortedList) {
  torch::manual_seed(21);
  torch::Tensor images = torch::randn({61, 4}).mul(2);
  images[30].copy_(images[5]);  // equal distances from 5 and 30 to everyone
  images[44].copy_(images[5]);
  images[12].copy_(images[9] + 0.001);
  torch::Tensor videos = torch::randn({17, 4}).mul(2);
  videos[3].copy_(images[5]);
  videos[8].copy_(images[12]);
  int compared = 0;
  for (const double radius : {1.5, 3.0, 100.0}) {
    for (const int limit : {1, 3, 8}) {
      const std::vector<NeighbourPair> within = closest_pairs_within(images, radius, limit, 16);
      EXPECT_TRUE(
          same_pairs(within, ranked_along_the_list(pairs_within(images, radius, 16), limit, false, 0)))
          << radius << " " << limit;
      const std::vector<NeighbourPair> between =
          mutual_closest_pairs_between(images, videos, radius, limit, 16);
      EXPECT_TRUE(same_pairs(
          between, ranked_along_the_list(pairs_between(images, videos, radius, 16), limit, true, 1000)))
          << radius << " " << limit;
      compared += static_cast<int>(within.size() + between.size());
    }
  }
  EXPECT_GT(compared, 300);
}

}  // namespace
}  // namespace popsweep::features
