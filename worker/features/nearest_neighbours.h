// Exact nearest-neighbour search in Euclidean distance over embeddings, by
// blocked matrix products (|a|^2 + |b|^2 - 2 a.b), so memory stays bounded
// for any N and the same code runs on a GPU when the tensor lives there.
#pragma once

#include <torch/types.h>

#include <vector>

namespace popsweep::features {

struct NeighbourPair {
  int first = 0;
  int second = 0;
  double distance = 0;
};

// Distance from every row to its nearest other row, and that row's index
// (-1 and +inf for a single row).
struct NearestNeighbours {
  std::vector<double> distance;
  std::vector<int> index;
};
NearestNeighbours nearest_neighbours(const torch::Tensor& embeddings, int block_rows = 1024);

// Every pair (i < j) closer than `threshold`, sorted by distance.
std::vector<NeighbourPair> pairs_within(const torch::Tensor& embeddings, double threshold, int block_rows = 1024);

// Every pair (row i of `first`, row j of `second`) closer than `threshold`,
// sorted by distance: `first` holds images, `second` video thumbnails (M7-M9
// across media types). Both must have the same number of columns.
std::vector<NeighbourPair> pairs_between(const torch::Tensor& first, const torch::Tensor& second, double threshold,
                                         int block_rows = 1024);

// What verification's widened search proposes without listing every pair
// within a wide radius (on a paper-size profile 483 420 of its 1.29
// million image pairs; quadratic memory on a large one): the pairs closer than
// `threshold` that are among the `per_media` closest of either media
// (pairs of one matrix), or of both (between `first` and `second`). A
// media's closest are in the order of its pairs sorted by distance, then
// by (first, second); the result is sorted so too: exactly what ranking the
// media along pairs_within / pairs_between's sorted list picks.
std::vector<NeighbourPair> closest_pairs_within(const torch::Tensor& embeddings, double threshold,
                                                int per_media, int block_rows = 1024);
std::vector<NeighbourPair> mutual_closest_pairs_between(const torch::Tensor& first,
                                                        const torch::Tensor& second, double threshold,
                                                        int per_media, int block_rows = 1024);

}  // namespace popsweep::features
