// The glance's whole-pixel scorer against the general one (issue 21): for
// every shift of the coarse grid and beyond, on squares of each level's
// size, ShiftCorrelation gives AlignedCorrelation's score (which is
// warpAffine's resampling and a one-pass correlation, tested against OpenCV
// in aligned_correlation_test.cc) up to the order of its additions: 1e-10
// at most, on low-contrast squares whose variance cancels most (printed).
#include "worker/features/shift_correlation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "worker/features/aligned_correlation.h"

namespace popsweep::features {
namespace {

cv::Mat blurred_noise(int side, int seed, double low, double high) {
  cv::RNG rng(seed);
  cv::Mat square(side, side, CV_32F);
  rng.fill(square, cv::RNG::UNIFORM, low, high);
  cv::GaussianBlur(square, square, cv::Size(5, 5), 1.5);
  return square;
}

Alignment whole_pixel_shift(int dx, int dy, int side) {
  return {1, 1, static_cast<double>(dx) / side, static_cast<double>(dy) / side};
}

TEST(ShiftCorrelation, EqualsTheGeneralScorerAtWholePixelShifts) {
  int compared = 0;
  double largest_difference = 0;
  for (const int side : {31, 32, 64}) {
    // Pictures with a high mean and little contrast are where the sums cancel most.
    for (const auto& [low, high] : {std::pair{0.0, 255.0}, std::pair{200.0, 212.0}}) {
      const cv::Mat first = blurred_noise(side, side, low, high);
      cv::Mat second = blurred_noise(side, side + 7, low, high) * 0.4 + first * 0.6;
      AlignedCorrelation general(first, second, 0.8);
      const ShiftCorrelation shifted(first, second, 0.8);
      for (int dx = -4; dx <= 4; ++dx) {
        for (int dy = -4; dy <= 4; ++dy) {
          const double expected = general(whole_pixel_shift(dx, dy, side));
          const double score = shifted(dx, dy);
          if (expected == -2) {
            EXPECT_EQ(score, -2) << side << " " << dx << " " << dy;
            continue;
          }
          EXPECT_NEAR(score, expected, 1e-9) << side << " " << dx << " " << dy;
          largest_difference = std::max(largest_difference, std::fabs(score - expected));
          ++compared;
        }
      }
    }
  }
  // Shifts of 4 of 31 leave under 80% of the square: some score -2 above.
  EXPECT_GT(compared, 300);
  std::printf("%d scores compared, largest difference %.2e\n", compared, largest_difference);
}

TEST(ShiftCorrelation, FlatOverlapsScoreByTheirMeansAsTheGeneralScorer) {
  const cv::Mat grey(32, 32, CV_32F, cv::Scalar(100)), lighter(32, 32, CV_32F, cv::Scalar(151));
  AlignedCorrelation general(grey, lighter, 0.8);
  const ShiftCorrelation shifted(grey, lighter, 0.8);
  EXPECT_DOUBLE_EQ(shifted(1, -2), 1.0 - 51.0 / 255.0);
  EXPECT_NEAR(shifted(1, -2), general(whole_pixel_shift(1, -2, 32)), 1e-12);
}

TEST(ShiftCorrelation, AShiftLeavingTooLittleOverlapIsNoMatch) {
  const cv::Mat first = blurred_noise(32, 1, 0, 255);
  const ShiftCorrelation shifted(first, first, 0.8);
  EXPECT_NEAR(shifted(0, 0), 1.0, 1e-12);
  EXPECT_GT(shifted(6, 0), -2);   // 26 of 32 columns: 81% of the square
  EXPECT_EQ(shifted(7, 0), -2);   // 25 of 32: 78%
  EXPECT_GT(shifted(-3, 3), -2);  // 29 x 29: 82%
  EXPECT_EQ(shifted(4, -4), -2);  // 28 x 28: 77%
}

}  // namespace
}  // namespace popsweep::features
