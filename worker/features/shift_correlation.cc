#include "worker/features/shift_correlation.h"

#include <algorithm>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "worker/features/aligned_correlation.h"

namespace popsweep::features {
namespace {

// Two doubles added and multiplied lane by lane (SSE2's pairs on x86-64).
using Lanes = double __attribute__((vector_size(16)));

}  // namespace

ShiftCorrelation::ShiftCorrelation(const cv::Mat& first_grey, const cv::Mat& second_grey, double min_overlap)
    : first_(first_grey), second_(second_grey), side_(first_grey.cols), min_overlap_(min_overlap) {
  CV_Assert(first_grey.type() == CV_32F && second_grey.type() == CV_32F &&
            first_grey.size() == second_grey.size() && first_grey.rows == first_grey.cols);
  cv::integral(first_grey, first_sum_, first_square_sum_, CV_64F, CV_64F);
  cv::integral(second_grey, second_sum_, second_square_sum_, CV_64F, CV_64F);
}

double ShiftCorrelation::operator()(int dx, int dy) const {
  // The second picture's pixels whose shifted position lies inside the first
  // (AlignedCorrelation's overlap_rect for this alignment).
  const int x0 = std::max(0, -dx), x1 = std::min(side_ - 1, side_ - 1 - dx);
  const int y0 = std::max(0, -dy), y1 = std::min(side_ - 1, side_ - 1 - dy);
  const int width = x1 - x0 + 1, height = y1 - y0 + 1;
  if (width <= 0 || height <= 0 || width * height < min_overlap_ * side_ * side_) return -2;
  const cv::Rect second_rect(x0, y0, width, height), first_rect(x0 + dx, y0 + dy, width, height);
  OverlapSums sums;
  sums.n = static_cast<double>(width) * height;
  sums.sum_a = rectangle_sum(first_sum_, first_rect);
  sums.square_a = rectangle_sum(first_square_sum_, first_rect);
  sums.sum_b = rectangle_sum(second_sum_, second_rect);
  sums.square_b = rectangle_sum(second_square_sum_, second_rect);
  // Only the cross term is summed here, over pairs of pixels in four
  // independent accumulators.
  sums.centre_b = static_cast<float>(sums.sum_b / sums.n);
  const float centre_b = sums.centre_b;
  Lanes cross[2] = {{0, 0}, {0, 0}};
  for (int y = y0; y <= y1; ++y) {
    const float* a = first_.ptr<float>(y + dy) + x0 + dx;
    const float* b = second_.ptr<float>(y) + x0;
    int i = 0;
    for (; i + 4 <= width; i += 4) {
      const Lanes a_low = {a[i], a[i + 1]}, a_high = {a[i + 2], a[i + 3]};
      const Lanes b_low = {b[i] - centre_b, b[i + 1] - centre_b};
      const Lanes b_high = {b[i + 2] - centre_b, b[i + 3] - centre_b};
      cross[0] += a_low * b_low;
      cross[1] += a_high * b_high;
    }
    for (; i < width; ++i) cross[0][0] += static_cast<double>(a[i]) * (b[i] - centre_b);
  }
  const Lanes total = cross[0] + cross[1];
  sums.cross = total[0] + total[1];
  return correlation_from_sums(sums);
}

}  // namespace popsweep::features
