// The alignment score of pixel verification computed in one pass (issue 21)
// against the same score computed the way verification first did, with
// cv::warpAffine and OpenCV's reductions: equal to 1e-8 for alignments all
// over the search range, on squares of each level's size (OpenCV sums in
// another order, partly in single precision: scores differ by 1e-10 to 1e-9).
// Positions rounded otherwise than warpAffine's, by a 1/32 pixel, move a
// score by far more than that, which the test shows too.
#include "worker/features/aligned_correlation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace popsweep::features {
namespace {

// The reference: warpAffine onto the second square, then the normalised
// cross-correlation over the overlap with meanStdDev and mean.
double reference_correlation(const cv::Mat& first, const cv::Mat& second, const Alignment& a,
                             double min_overlap) {
  const int side = first.cols;
  const cv::Rect rect = overlap_rect(a, side);
  if (rect.area() < min_overlap * side * side) return -2;
  cv::Mat warped;
  cv::warpAffine(first, warped, cv::Mat(warp_matrix(a, side)), first.size(),
                 cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_REPLICATE);
  const cv::Mat moved = warped(rect), target = second(rect);
  cv::Scalar mean_a, std_a, mean_b, std_b;
  cv::meanStdDev(moved, mean_a, std_a);
  cv::meanStdDev(target, mean_b, std_b);
  if (std_a[0] < 1e-3 || std_b[0] < 1e-3) return 1.0 - std::fabs(mean_a[0] - mean_b[0]) / 255.0;
  return cv::mean((moved - mean_a[0]).mul(target - mean_b[0]))[0] / (std_a[0] * std_b[0]);
}

cv::Mat blurred_noise(int side, int seed) {
  cv::RNG rng(seed);
  cv::Mat square(side, side, CV_32F);
  rng.fill(square, cv::RNG::UNIFORM, 0, 255);
  cv::GaussianBlur(square, square, cv::Size(5, 5), 1.5);
  return square;
}

TEST(AlignedCorrelation, EqualsWarpAffineAndOpenCvReductions) {
  for (const int side : {32, 64, 128}) {
    const cv::Mat first = blurred_noise(side, side);
    // The second: the first shifted by a few pixels plus noise, so scores spread over [-1, 1].
    cv::Mat second = blurred_noise(side, side + 1) * 0.5;
    second += first * 0.5;
    AlignedCorrelation score(first, second, 0.8);
    cv::RNG rng(7);
    int compared = 0, nudged_apart = 0;
    for (int trial = 0; trial < 400; ++trial) {
      const Alignment a{1 + rng.uniform(-0.08, 0.08), 1 + rng.uniform(-0.08, 0.08), rng.uniform(-0.07, 0.07),
                        rng.uniform(-0.07, 0.07)};
      const double expected = reference_correlation(first, second, a, 0.8);
      EXPECT_NEAR(score(a), expected, 1e-8) << "side " << side << " trial " << trial;
      if (expected == -2) continue;
      ++compared;
      Alignment nudged = a;
      nudged.shift_x += 1.0 / 32 / side;
      nudged_apart += std::fabs(reference_correlation(first, second, nudged, 0.8) - expected) > 1e-6;
    }
    EXPECT_GT(compared, 100) << "side " << side;  // most alignments overlap enough to be scored
    EXPECT_GT(nudged_apart, compared * 9 / 10) << "side " << side;
  }
}

TEST(AlignedCorrelation, FlatOverlapsScoreByTheirMeans) {
  const cv::Mat grey(32, 32, CV_32F, cv::Scalar(100)), lighter(32, 32, CV_32F, cv::Scalar(151));
  AlignedCorrelation score(grey, lighter, 0.8);
  EXPECT_NEAR(score(Alignment{}), 1.0 - 51.0 / 255.0, 1e-9);
  EXPECT_EQ(score(Alignment{1, 1, 0.5, 0}), -2);  // half the square: too small an overlap
}

}  // namespace
}  // namespace popsweep::features
