#include "worker/features/aligned_correlation.h"

#include <algorithm>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace popsweep::features {
namespace {

// warpAffine's fixed point: positions in 1/1024 pixel, rounded to 1/32 pixel
// (imgwarp.cpp: AB_BITS 10, INTER_BITS 5, round_delta AB_SCALE / INTER_TAB_SIZE / 2).
constexpr int kPositionBits = 10;
constexpr int kFractionBits = 5;
constexpr int kFractions = 1 << kFractionBits;
constexpr double kPositionScale = 1 << kPositionBits;
constexpr int kRoundDelta = (1 << kPositionBits) / kFractions / 2;

// One axis of the map: the source pixel left of (above) each destination
// pixel and the 1/32-pixel fraction past it. `fixed_start` is the position
// of destination pixel 0, `fixed_step(i)` the offset of pixel i, both as
// warpAffine rounds them.
template <typename Step>
void axis_positions(int fixed_start, Step fixed_step, int side, std::vector<int>& low, std::vector<int>& high,
                    std::vector<int>& fraction) {
  low.resize(side), high.resize(side), fraction.resize(side);
  for (int i = 0; i < side; ++i) {
    const int position = (fixed_start + fixed_step(i)) >> (kPositionBits - kFractionBits);
    // BORDER_REPLICATE: both neighbours clamped into the picture.
    low[i] = std::clamp(position >> kFractionBits, 0, side - 1);
    high[i] = std::clamp((position >> kFractionBits) + 1, 0, side - 1);
    fraction[i] = position & (kFractions - 1);
  }
}

// As warpAffine: a column's offset is rounded apart from the row's start (adelta).
void column_positions(const cv::Matx23d& m, int side, std::vector<int>& left, std::vector<int>& right,
                      std::vector<int>& fraction) {
  axis_positions(
      cvRound(m(0, 2) * kPositionScale) + kRoundDelta,
      [&](int x) { return cvRound(m(0, 0) * x * kPositionScale); }, side, left, right, fraction);
}

// As warpAffine: a row's position is rounded whole (Y0); the matrix has no shear.
void row_positions(const cv::Matx23d& m, int side, std::vector<int>& top, std::vector<int>& bottom,
                   std::vector<int>& fraction) {
  axis_positions(
      kRoundDelta, [&](int y) { return cvRound((m(1, 1) * y + m(1, 2)) * kPositionScale); }, side, top,
      bottom, fraction);
}

// Two doubles added and multiplied lane by lane (SSE2's pairs on x86-64).
using Lanes = double __attribute__((vector_size(16)));

}  // namespace

double rectangle_sum(const cv::Mat& integral, const cv::Rect& r) {
  return integral.at<double>(r.y + r.height, r.x + r.width) - integral.at<double>(r.y, r.x + r.width) -
         integral.at<double>(r.y + r.height, r.x) + integral.at<double>(r.y, r.x);
}

double correlation_from_sums(const OverlapSums& s) {
  const double mean_a = s.sum_a / s.n, mean_b = s.sum_b / s.n;
  const double std_a = std::sqrt(std::max(s.square_a / s.n - mean_a * mean_a, 0.0));
  const double std_b = std::sqrt(std::max(s.square_b / s.n - mean_b * mean_b, 0.0));
  if (std_a < 1e-3 || std_b < 1e-3) {
    // Flat pictures: equal means are the best a flat pair can do.
    return 1.0 - std::fabs(mean_a - mean_b) / 255.0;
  }
  // The mean of (a - mean_a) * (b - mean_b), from the sums: the second
  // factor's differences from centre_b sum to sum_b - n * centre_b, not 0.
  const double covariance = (s.cross - mean_a * (s.sum_b - s.n * s.centre_b)) / s.n;
  return covariance / (std_a * std_b);
}

cv::Matx23d warp_matrix(const Alignment& a, int side) {
  const double cx = a.shift_x * side + 0.5 * a.scale_x - 0.5;
  const double cy = a.shift_y * side + 0.5 * a.scale_y - 0.5;
  return {a.scale_x, 0, cx, 0, a.scale_y, cy};
}

cv::Rect overlap_rect(const Alignment& a, int side) {
  const cv::Matx23d m = warp_matrix(a, side);
  auto range = [side](double scale, double offset, int& low, int& high) {
    low = std::max(0, static_cast<int>(std::ceil((0 - offset) / scale)));
    high = std::min(side - 1, static_cast<int>(std::floor((side - 1 - offset) / scale)));
  };
  int x0, x1, y0, y1;
  range(m(0, 0), m(0, 2), x0, x1);
  range(m(1, 1), m(1, 2), y0, y1);
  if (x1 < x0 || y1 < y0) return {};
  return {x0, y0, x1 - x0 + 1, y1 - y0 + 1};
}

cv::Mat resampled_overlap(const cv::Mat& first_colour, const Alignment& a, const cv::Rect& rect) {
  CV_Assert(first_colour.type() == CV_32FC3 && first_colour.rows == first_colour.cols);
  const int side = first_colour.cols;
  CV_Assert((rect & cv::Rect(0, 0, side, side)) == rect);
  const cv::Matx23d m = warp_matrix(a, side);
  std::vector<int> left, right, column_fraction, top, bottom, row_fraction;
  column_positions(m, side, left, right, column_fraction);
  row_positions(m, side, top, bottom, row_fraction);
  cv::Mat out(rect.size(), CV_32FC3);
  for (int y = rect.y; y < rect.y + rect.height; ++y) {
    const float below = row_fraction[y] * (1.f / kFractions), above = 1.f - below;
    const float* upper = first_colour.ptr<float>(top[y]);
    const float* lower = first_colour.ptr<float>(bottom[y]);
    float* row = out.ptr<float>(y - rect.y);
    for (int x = rect.x; x < rect.x + rect.width; ++x) {
      const float right_weight = column_fraction[x] * (1.f / kFractions), left_weight = 1.f - right_weight;
      const float* upper_left = upper + 3 * left[x];
      const float* upper_right = upper + 3 * right[x];
      const float* lower_left = lower + 3 * left[x];
      const float* lower_right = lower + 3 * right[x];
      for (int c = 0; c < 3; ++c) {
        *row++ = upper_left[c] * (above * left_weight) + upper_right[c] * (above * right_weight) +
                 lower_left[c] * (below * left_weight) + lower_right[c] * (below * right_weight);
      }
    }
  }
  return out;
}

AlignedCorrelation::AlignedCorrelation(const cv::Mat& first_grey, const cv::Mat& second_grey,
                                       double min_overlap)
    : first_(first_grey), second_(second_grey), side_(first_grey.cols), min_overlap_(min_overlap) {
  CV_Assert(first_grey.type() == CV_32F && second_grey.type() == CV_32F &&
            first_grey.size() == second_grey.size() && first_grey.rows == first_grey.cols);
  // The second picture's sums over any overlap, from its integral images.
  cv::integral(second_grey, sum_, square_sum_, CV_64F, CV_64F);
}

// The columns of the first picture that each column of the second reads
// (its left and right neighbours), gathered for every row, and their
// bilinear weights: the resampling then runs along contiguous rows. They
// depend on the alignment's x only, which the search keeps or returns to
// (the coarse grid's inner loops move y and come back to each x shift for
// every y scale, the hill climb moves one parameter at a time), so the last
// few are kept.
const AlignedCorrelation::ColumnMap& AlignedCorrelation::map_columns(const cv::Matx23d& m) {
  for (int i = 0; i < kept_maps_; ++i) {
    if (column_maps_[i].scale == m(0, 0) && column_maps_[i].offset == m(0, 2)) return column_maps_[i];
  }
  ColumnMap& map = column_maps_[next_map_];
  next_map_ = (next_map_ + 1) % kKeptColumnMaps;
  kept_maps_ = std::min(kept_maps_ + 1, kKeptColumnMaps);
  map.scale = m(0, 0), map.offset = m(0, 2);
  column_positions(m, side_, left_, right_, column_fraction_);
  const std::size_t pixels = static_cast<std::size_t>(side_) * side_;
  map.left_columns.resize(pixels), map.right_columns.resize(pixels);
  for (int r = 0; r < side_; ++r) {
    const float* source = first_.ptr<float>(r);
    float* left = &map.left_columns[static_cast<std::size_t>(r) * side_];
    float* right = &map.right_columns[static_cast<std::size_t>(r) * side_];
    for (int x = 0; x < side_; ++x) left[x] = source[left_[x]], right[x] = source[right_[x]];
  }
  map.left_weight.resize(side_), map.right_weight.resize(side_);
  for (int x = 0; x < side_; ++x) {
    const float fraction = column_fraction_[x] * (1.f / kFractions);
    map.left_weight[x] = 1.f - fraction, map.right_weight[x] = fraction;
  }
  return map;
}

// Row y of the overlap resampled into `out`: warpAffine's four products in
// its order, with its table's weights (each weight a product of two
// multiples of 1/32, exact in float, so forming it here gives the table's
// value bitwise).
void AlignedCorrelation::resample_row(const ColumnMap& map, int y, const cv::Rect& rect, float* out) const {
  const float fraction = row_fraction_[y] * (1.f / kFractions);
  const float above = 1.f - fraction, below = fraction;
  auto row = [&](const std::vector<float>& columns, int source_row) {
    return &columns[static_cast<std::size_t>(source_row) * side_ + rect.x];
  };
  const float* top_left = row(map.left_columns, top_[y]);
  const float* top_right = row(map.right_columns, top_[y]);
  const float* bottom_left = row(map.left_columns, bottom_[y]);
  const float* bottom_right = row(map.right_columns, bottom_[y]);
  const float* left_weight = &map.left_weight[rect.x];
  const float* right_weight = &map.right_weight[rect.x];
  for (int i = 0; i < rect.width; ++i) {
    out[i] = top_left[i] * (above * left_weight[i]) + top_right[i] * (above * right_weight[i]) +
             bottom_left[i] * (below * left_weight[i]) + bottom_right[i] * (below * right_weight[i]);
  }
}

double AlignedCorrelation::operator()(const Alignment& a) {
  const cv::Rect rect = overlap_rect(a, side_);
  if (rect.area() < min_overlap_ * side_ * side_) return -2;
  const cv::Matx23d m = warp_matrix(a, side_);
  const ColumnMap& columns = map_columns(m);
  row_positions(m, side_, top_, bottom_, row_fraction_);
  const double n = static_cast<double>(rect.area());
  const double sum_b = rectangle_sum(sum_, rect), square_b = rectangle_sum(square_sum_, rect);
  const float centre_b = static_cast<float>(sum_b / n);
  // One pass over the overlap, a row at a time: resample the row, then sum
  // its values and squares and their (exact) products with the second
  // picture's float differences from its mean. Two accumulators of each,
  // lane k summing the pixels with x & 1 == k as the per-pixel loop this
  // replaces did, so the sums are bitwise that loop's. Each row is padded
  // with zeros (which add nothing) to whole pairs of an even and an odd x.
  const int lead = rect.x & 1;
  const int pairs = (lead + rect.width + 1) / 2;
  moved_.assign(2 * static_cast<std::size_t>(pairs), 0.f);
  difference_.assign(moved_.size(), 0.f);
  float* moved_row = moved_.data() + lead;
  float* difference_row = difference_.data() + lead;
  Lanes sum_a = {0, 0}, square_a = {0, 0}, cross = {0, 0};
  for (int y = rect.y; y < rect.y + rect.height; ++y) {
    resample_row(columns, y, rect, moved_row);
    const float* target = second_.ptr<float>(y) + rect.x;
    for (int i = 0; i < rect.width; ++i) difference_row[i] = target[i] - centre_b;
    for (int p = 0; p < pairs; ++p) {
      const Lanes moved = {moved_[2 * p], moved_[2 * p + 1]};
      const Lanes difference = {difference_[2 * p], difference_[2 * p + 1]};
      sum_a += moved;
      square_a += moved * moved;
      cross += moved * difference;
    }
  }
  return correlation_from_sums(
      {n, sum_a[0] + sum_a[1], square_a[0] + square_a[1], sum_b, square_b, cross[0] + cross[1], centre_b});
}

}  // namespace popsweep::features
