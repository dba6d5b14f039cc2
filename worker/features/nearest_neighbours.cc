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

// Calls visit(i, j, distance) for every (row of `rows`, row of `columns`)
// pair closer than `threshold`, block by block of rows; `upper_only` keeps
// i < j when both are the same matrix.
template <typename Visit>
void for_each_close_pair(const torch::Tensor& rows_in, const torch::Tensor& columns_in, double threshold,
                         int block_rows, bool upper_only, Visit visit) {
  torch::NoGradGuard no_grad;
  const torch::Tensor rows_all = rows_in.to(torch::kFloat64).contiguous();
  const torch::Tensor columns = columns_in.to(torch::kFloat64).contiguous();
  const int64_t n = rows_all.size(0);
  if (n == 0 || columns.size(0) == 0) return;
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
      if (!upper_only || i < j) visit(static_cast<int>(i), static_cast<int>(j), distance[row][j]);
    }
  }
}

// Closest first; equal distances by the pair's indices.
bool closer(const NeighbourPair& a, const NeighbourPair& b) {
  return a.distance != b.distance ? a.distance < b.distance
                                  : std::make_pair(a.first, a.second) < std::make_pair(b.first, b.second);
}

std::vector<NeighbourPair> close_pairs(const torch::Tensor& rows, const torch::Tensor& columns,
                                       double threshold, int block_rows, bool upper_only) {
  std::vector<NeighbourPair> pairs;
  for_each_close_pair(rows, columns, threshold, block_rows, upper_only, [&](int i, int j, double d) {
    pairs.push_back({i, j, d});
  });
  std::sort(pairs.begin(), pairs.end(), closer);
  return pairs;
}

// Each media's `limit` closest partners among the pairs offered to it, as
// (distance, partner) closest first: in the order of `closer` over the
// media's own pairs, since the media is the same index in all of them.
class ClosestPartners {
 public:
  ClosestPartners(int64_t media, int limit) : limit_(limit), partners_(static_cast<std::size_t>(media)) {}

  void offer(int media, double distance, int partner) {
    std::vector<std::pair<double, int>>& kept = partners_[static_cast<std::size_t>(media)];
    const std::pair<double, int> candidate{distance, partner};
    if (static_cast<int>(kept.size()) == limit_ && !(candidate < kept.back())) return;
    kept.insert(std::upper_bound(kept.begin(), kept.end(), candidate), candidate);
    if (static_cast<int>(kept.size()) > limit_) kept.pop_back();
  }

  const std::vector<std::pair<double, int>>& of(int media) const {
    return partners_[static_cast<std::size_t>(media)];
  }

  bool holds(int media, double distance, int partner) const {
    const std::vector<std::pair<double, int>>& kept = of(media);
    return std::binary_search(kept.begin(), kept.end(), std::make_pair(distance, partner));
  }

 private:
  int limit_;
  std::vector<std::vector<std::pair<double, int>>> partners_;
};

// Offers every close pair (i, j) to row i's partners and to column j's
// (the same ClosestPartners when rows and columns are one matrix).
void rank_close_pairs(const torch::Tensor& rows, const torch::Tensor& columns, double threshold,
                      int block_rows, bool upper_only, ClosestPartners& of_rows,
                      ClosestPartners& of_columns) {
  for_each_close_pair(rows, columns, threshold, block_rows, upper_only, [&](int i, int j, double d) {
    of_rows.offer(i, d, j);
    of_columns.offer(j, d, i);
  });
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

std::vector<NeighbourPair> closest_pairs_within(const torch::Tensor& embeddings, double threshold,
                                                int per_media, int block_rows) {
  if (embeddings.size(0) < 2) return {};
  ClosestPartners closest(embeddings.size(0), per_media);
  rank_close_pairs(embeddings, embeddings, threshold, block_rows, true, closest, closest);
  std::vector<NeighbourPair> pairs;
  for (int m = 0; m < static_cast<int>(embeddings.size(0)); ++m) {
    for (const auto& [distance, partner] : closest.of(m)) {
      // A pair among the closest of both media is listed once, from its first.
      if (m < partner) {
        pairs.push_back({m, partner, distance});
      } else if (!closest.holds(partner, distance, m)) {
        pairs.push_back({partner, m, distance});
      }
    }
  }
  std::sort(pairs.begin(), pairs.end(), closer);
  return pairs;
}

std::vector<NeighbourPair> mutual_closest_pairs_between(const torch::Tensor& first,
                                                        const torch::Tensor& second, double threshold,
                                                        int per_media, int block_rows) {
  ClosestPartners of_first(first.size(0), per_media), of_second(second.size(0), per_media);
  rank_close_pairs(first, second, threshold, block_rows, false, of_first, of_second);
  std::vector<NeighbourPair> pairs;
  for (int i = 0; i < static_cast<int>(first.size(0)); ++i) {
    for (const auto& [distance, j] : of_first.of(i)) {
      if (of_second.holds(j, distance, i)) pairs.push_back({i, j, distance});
    }
  }
  std::sort(pairs.begin(), pairs.end(), closer);
  return pairs;
}

}  // namespace popsweep::features
