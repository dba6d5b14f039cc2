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

// warpAffine's bilinear weight table for floats (initInterTab1D/2D): the
// products of the one-axis weights, each exact at 1/32 steps.
struct Weights {
  float table[kFractions][kFractions][4];
  Weights() {
    for (int fy = 0; fy < kFractions; ++fy) {
      for (int fx = 0; fx < kFractions; ++fx) {
        const float y = fy * (1.f / kFractions), x = fx * (1.f / kFractions);
        const float wy[2] = {1.f - y, y}, wx[2] = {1.f - x, x};
        for (int k = 0; k < 4; ++k) table[fy][fx][k] = wy[k / 2] * wx[k % 2];
      }
    }
  }
};

double rectangle_sum(const cv::Mat& integral, const cv::Rect& r) {
  return integral.at<double>(r.y + r.height, r.x + r.width) - integral.at<double>(r.y, r.x + r.width) -
         integral.at<double>(r.y + r.height, r.x) + integral.at<double>(r.y, r.x);
}

const Weights& weights() {
  static const Weights table;
  return table;
}

}  // namespace

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

AlignedCorrelation::AlignedCorrelation(const cv::Mat& first_grey, const cv::Mat& second_grey,
                                       double min_overlap)
    : first_(first_grey), second_(second_grey), side_(first_grey.cols), min_overlap_(min_overlap) {
  CV_Assert(first_grey.type() == CV_32F && second_grey.type() == CV_32F &&
            first_grey.size() == second_grey.size() && first_grey.rows == first_grey.cols);
  // The second picture's sums over any overlap, from its integral images.
  cv::integral(second_grey, sum_, square_sum_, CV_64F, CV_64F);
}

double AlignedCorrelation::operator()(const Alignment& a) {
  const cv::Rect rect = overlap_rect(a, side_);
  if (rect.area() < min_overlap_ * side_ * side_) return -2;
  const cv::Matx23d m = warp_matrix(a, side_);
  // As warpAffine: a column's offset is rounded apart from the row's start
  // (adelta), a row's position is rounded whole (Y0); the matrix has no shear.
  axis_positions(
      cvRound(m(0, 2) * kPositionScale) + kRoundDelta,
      [&](int x) { return cvRound(m(0, 0) * x * kPositionScale); }, side_, left_, right_, column_fraction_);
  axis_positions(
      kRoundDelta, [&](int y) { return cvRound((m(1, 1) * y + m(1, 2)) * kPositionScale); }, side_, top_,
      bottom_, row_fraction_);
  const Weights& w = weights();
  const double n = static_cast<double>(rect.area());
  const double sum_b = rectangle_sum(sum_, rect), square_b = rectangle_sum(square_sum_, rect);
  const float centre_b = static_cast<float>(sum_b / n);
  // One pass: resample the overlap, sum its values and squares, and its
  // (exact) products with the second picture's float differences from its mean.
  // Two accumulators of each, for pipelining.
  double sum_a[2] = {0, 0}, square_a[2] = {0, 0}, cross[2] = {0, 0};
  for (int y = rect.y; y < rect.y + rect.height; ++y) {
    const float* top = first_.ptr<float>(top_[y]);
    const float* bottom = first_.ptr<float>(bottom_[y]);
    const float* target = second_.ptr<float>(y);
    const float(*row_weights)[4] = w.table[row_fraction_[y]];
    for (int x = rect.x; x < rect.x + rect.width; ++x) {
      const int left = left_[x], right = right_[x];
      const float* c = row_weights[column_fraction_[x]];
      const float v = top[left] * c[0] + top[right] * c[1] + bottom[left] * c[2] + bottom[right] * c[3];
      const int lane = x & 1;
      sum_a[lane] += v;
      square_a[lane] += static_cast<double>(v) * v;
      cross[lane] += static_cast<double>(v) * (target[x] - centre_b);
    }
  }
  const double mean_a = (sum_a[0] + sum_a[1]) / n, mean_b = sum_b / n;
  const double std_a = std::sqrt(std::max((square_a[0] + square_a[1]) / n - mean_a * mean_a, 0.0));
  const double std_b = std::sqrt(std::max(square_b / n - mean_b * mean_b, 0.0));
  if (std_a < 1e-3 || std_b < 1e-3) {
    // Flat pictures: equal means are the best a flat pair can do.
    return 1.0 - std::fabs(mean_a - mean_b) / 255.0;
  }
  // The mean of (moved - mean_a) * (target - mean_b), from the sums above:
  // the second factor's differences sum to sum_b - n * centre_b, not 0.
  const double covariance = (cross[0] + cross[1] - mean_a * (sum_b - n * centre_b)) / n;
  return covariance / (std_a * std_b);
}

}  // namespace popsweep::features
