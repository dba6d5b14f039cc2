#include "worker/features/nearest_neighbours.h"

#include <torch/torch.h>

#include <algorithm>
#include <limits>

namespace popsweep::features {
namespace {

// Squared distances between a block of rows and all rows, clamped at zero
// (the expansion can go slightly negative through rounding). Float64, since
// near duplicates are exactly the pairs where float32 cancellation hurts.
torch::Tensor block_squared_distances(const torch::Tensor& block, const torch::Tensor& all,
                                      const torch::Tensor& all_norms) {
  const torch::Tensor block_norms = block.pow(2).sum(1, true);
  return (block_norms + all_norms.unsqueeze(0) - 2 * block.matmul(all.t())).clamp_min(0);
}

}  // namespace

NearestNeighbours nearest_neighbours(const torch::Tensor& embeddings, int block_rows) {
  torch::NoGradGuard no_grad;
  const torch::Tensor all = embeddings.to(torch::kFloat64).contiguous();
  const int64_t n = all.size(0);
  NearestNeighbours result;
  result.distance.assign(static_cast<size_t>(n), std::numeric_limits<double>::infinity());
  result.index.assign(static_cast<size_t>(n), -1);
  if (n < 2) return result;
  const torch::Tensor norms = all.pow(2).sum(1);
  for (int64_t start = 0; start < n; start += block_rows) {
    const int64_t rows = std::min<int64_t>(block_rows, n - start);
    torch::Tensor squared = block_squared_distances(all.narrow(0, start, rows), all, norms);
    // A row is not its own neighbour.
    squared.diagonal(start).fill_(std::numeric_limits<double>::infinity());
    const auto [best, where] = squared.min(1);
    const torch::Tensor best_cpu = best.sqrt().cpu(), where_cpu = where.cpu();
    const double* distances = best_cpu.data_ptr<double>();
    const int64_t* indices = where_cpu.data_ptr<int64_t>();
    for (int64_t i = 0; i < rows; ++i) {
      result.distance[static_cast<size_t>(start + i)] = distances[i];
      result.index[static_cast<size_t>(start + i)] = static_cast<int>(indices[i]);
    }
  }
  return result;
}

namespace {

// Every (row of `rows`, row of `columns`) pair closer than `threshold`;
// `upper_only` keeps i < j when both are the same matrix.
std::vector<NeighbourPair> close_pairs(const torch::Tensor& rows_in, const torch::Tensor& columns_in,
                                       double threshold, int block_rows, bool upper_only) {
  torch::NoGradGuard no_grad;
  const torch::Tensor rows_all = rows_in.to(torch::kFloat64).contiguous();
  const torch::Tensor columns = columns_in.to(torch::kFloat64).contiguous();
  const int64_t n = rows_all.size(0);
  std::vector<NeighbourPair> pairs;
  if (n == 0 || columns.size(0) == 0) return pairs;
  const torch::Tensor norms = columns.pow(2).sum(1);
  for (int64_t start = 0; start < n; start += block_rows) {
    const int64_t rows = std::min<int64_t>(block_rows, n - start);
    const torch::Tensor squared = block_squared_distances(rows_all.narrow(0, start, rows), columns, norms);
    // nonzero() returns its [hits, 2] result column-major; make rows contiguous.
    const torch::Tensor hits = (squared < threshold * threshold).nonzero().cpu().contiguous();
    const torch::Tensor distances = squared.sqrt().cpu();
    const auto distance = distances.accessor<double, 2>();
    const int64_t* hit = hits.data_ptr<int64_t>();
    for (int64_t h = 0; h < hits.size(0); ++h) {
      const int64_t row = hit[2 * h], j = hit[2 * h + 1];
      const int64_t i = start + row;
      if (!upper_only || i < j) pairs.push_back({static_cast<int>(i), static_cast<int>(j), distance[row][j]});
    }
  }
  std::sort(pairs.begin(), pairs.end(), [](const NeighbourPair& a, const NeighbourPair& b) {
    return a.distance != b.distance ? a.distance < b.distance
                                    : std::make_pair(a.first, a.second) < std::make_pair(b.first, b.second);
  });
  return pairs;
}

}  // namespace

std::vector<NeighbourPair> pairs_within(const torch::Tensor& embeddings, double threshold, int block_rows) {
  if (embeddings.size(0) < 2) return {};
  return close_pairs(embeddings, embeddings, threshold, block_rows, true);
}

std::vector<NeighbourPair> pairs_between(const torch::Tensor& first, const torch::Tensor& second, double threshold,
                                         int block_rows) {
  return close_pairs(first, second, threshold, block_rows, false);
}

}  // namespace popsweep::features
