// The glance's score: the normalised cross-correlation of two grey squares
// for a whole-pixel shift of the first, at scale 1.
//
// Verification glances at every candidate pair (13 241 of them on a
// paper-size profile under `auto`) over the 25 shifts of the coarse grid,
// and its quick alignment starts from the best of them. At scale 1 and
// whole-pixel shifts, warpAffine's bilinear resampling reads pixels as they
// are, so the general scorer's gathers, weights and row buffers are wasted
// work: here the overlap's sums come from integral images and only the
// cross term is summed per pair, with independent accumulators. The score
// is AlignedCorrelation's for the same alignment up to the order of the
// additions: within 1e-10, on low-contrast squares whose variance cancels
// most (tests/worker/features/shift_correlation_test.cc), against a glance
// bound of 0.8.
#pragma once

#include <opencv2/core/mat.hpp>

namespace popsweep::features {

class ShiftCorrelation {
 public:
  // Keeps references to both squares (grey, CV_32F, side x side): both must
  // outlive it. A shift whose overlap covers less than `min_overlap` of the
  // square scores -2: no match.
  ShiftCorrelation(const cv::Mat& first_grey, const cv::Mat& second_grey, double min_overlap);

  // Second-picture pixel (x, y) against first-picture pixel (x + dx, y + dy).
  // In [-1, 1]; two flat overlaps score by how close their means are.
  double operator()(int dx, int dy) const;

 private:
  const cv::Mat& first_;
  const cv::Mat& second_;
  int side_;
  double min_overlap_;
  cv::Mat first_sum_, first_square_sum_, second_sum_, second_square_sum_;  // integral images
};

}  // namespace popsweep::features
