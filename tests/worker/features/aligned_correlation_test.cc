// The alignment score of pixel verification computed in one pass (issue 21)
// against the same score computed the way verification first did, with
// cv::warpAffine and OpenCV's reductions: equal to 1e-8 for alignments all
// over the search range, on squares of each level's size (OpenCV sums in
// another order, partly in single precision: scores differ by 1e-10 to 1e-9).
// Positions rounded otherwise than warpAffine's, by a 1/32 pixel, move a
// score by far more than that, which the test shows too. And against the
// per-pixel loop the row-wise scorer replaced (issue 21, third step):
// bitwise equal, so that no decision of verification moves.
#include "worker/features/aligned_correlation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

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

// The one-pass score as first written: one loop over the overlap's pixels,
// each resampled with warpAffine's fixed-point positions and weight table,
// its sums in two accumulators by the parity of x.
double per_pixel_correlation(const cv::Mat& first, const cv::Mat& second, const Alignment& a,
                             double min_overlap) {
  const int side = first.cols;
  const cv::Rect rect = overlap_rect(a, side);
  if (rect.area() < min_overlap * side * side) return -2;
  const cv::Matx23d m = warp_matrix(a, side);
  float table[32][32][4];
  for (int fy = 0; fy < 32; ++fy) {
    for (int fx = 0; fx < 32; ++fx) {
      const float y = fy * (1.f / 32), x = fx * (1.f / 32);
      const float wy[2] = {1.f - y, y}, wx[2] = {1.f - x, x};
      for (int k = 0; k < 4; ++k) table[fy][fx][k] = wy[k / 2] * wx[k % 2];
    }
  }
  auto position = [](int fixed) { return fixed >> 5; };  // 1/1024 pixel to 1/32
  std::vector<int> left(side), right(side), fx(side), top(side), bottom(side), fy(side);
  const int x_start = cvRound(m(0, 2) * 1024) + 16;
  for (int i = 0; i < side; ++i) {
    const int px = position(x_start + cvRound(m(0, 0) * i * 1024));
    const int py = position(16 + cvRound((m(1, 1) * i + m(1, 2)) * 1024));
    left[i] = std::clamp(px >> 5, 0, side - 1), right[i] = std::clamp((px >> 5) + 1, 0, side - 1),
    fx[i] = px & 31;
    top[i] = std::clamp(py >> 5, 0, side - 1), bottom[i] = std::clamp((py >> 5) + 1, 0, side - 1),
    fy[i] = py & 31;
  }
  cv::Mat sum, square_sum;
  cv::integral(second, sum, square_sum, CV_64F, CV_64F);
  auto rectangle_sum = [&](const cv::Mat& s) {
    return s.at<double>(rect.y + rect.height, rect.x + rect.width) -
           s.at<double>(rect.y, rect.x + rect.width) - s.at<double>(rect.y + rect.height, rect.x) +
           s.at<double>(rect.y, rect.x);
  };
  const double n = rect.area(), sum_b = rectangle_sum(sum), square_b = rectangle_sum(square_sum);
  const float centre_b = static_cast<float>(sum_b / n);
  double sum_a[2] = {0, 0}, square_a[2] = {0, 0}, cross[2] = {0, 0};
  for (int y = rect.y; y < rect.y + rect.height; ++y) {
    for (int x = rect.x; x < rect.x + rect.width; ++x) {
      const float* c = table[fy[y]][fx[x]];
      const float v = first.at<float>(top[y], left[x]) * c[0] + first.at<float>(top[y], right[x]) * c[1] +
                      first.at<float>(bottom[y], left[x]) * c[2] +
                      first.at<float>(bottom[y], right[x]) * c[3];
      sum_a[x & 1] += v;
      square_a[x & 1] += static_cast<double>(v) * v;
      cross[x & 1] += static_cast<double>(v) * (second.at<float>(y, x) - centre_b);
    }
  }
  const double mean_a = (sum_a[0] + sum_a[1]) / n, mean_b = sum_b / n;
  const double std_a = std::sqrt(std::max((square_a[0] + square_a[1]) / n - mean_a * mean_a, 0.0));
  const double std_b = std::sqrt(std::max(square_b / n - mean_b * mean_b, 0.0));
  if (std_a < 1e-3 || std_b < 1e-3) return 1.0 - std::fabs(mean_a - mean_b) / 255.0;
  return (cross[0] + cross[1] - mean_a * (sum_b - n * centre_b)) / n / (std_a * std_b);
}

// Alignments in the orders the search scores them: random ones (a new x
// each time), the coarse grid (y innermost: each x kept for five scores,
// then taken up again for the next y scale, after more x's than the scorer
// keeps) and a walk that moves one parameter at a time and steps back.
TEST(AlignedCorrelation, EqualsThePerPixelLoopBitwise) {
  for (const int side : {32, 64, 128}) {
    const cv::Mat first = blurred_noise(side, 3 * side);
    cv::Mat second = blurred_noise(side, 3 * side + 1) * 0.4;
    second += first * 0.6;
    std::vector<Alignment> alignments;
    cv::RNG rng(11);
    for (int trial = 0; trial < 150; ++trial) {
      alignments.push_back({1 + rng.uniform(-0.08, 0.08), 1 + rng.uniform(-0.08, 0.08),
                            rng.uniform(-0.07, 0.07), rng.uniform(-0.07, 0.07)});
    }
    for (int sx = -3; sx <= 3; sx += 2) {
      for (int sy = -3; sy <= 3; sy += 3) {
        for (int tx = -2; tx <= 2; ++tx) {
          for (int ty = -2; ty <= 2; ++ty) {
            alignments.push_back({1 + 0.065 * sx / 3, 1 + 0.065 * sy / 3, tx / 32.0, ty / 32.0});
          }
        }
      }
    }
    Alignment walk{1.02, 0.97, 0.01, -0.02};
    for (int step = 0; step < 60; ++step) {
      const double delta = (step % 3 == 2 ? -1.0 : 1.0) / side;  // every third step goes back
      (step % 4 == 0   ? walk.scale_x
       : step % 4 == 1 ? walk.shift_y
       : step % 4 == 2 ? walk.shift_x
                       : walk.scale_y) += delta;
      alignments.push_back(walk);
    }
    AlignedCorrelation score(first, second, 0.8);
    int scored = 0;
    for (std::size_t i = 0; i < alignments.size(); ++i) {
      const double expected = per_pixel_correlation(first, second, alignments[i], 0.8);
      EXPECT_EQ(score(alignments[i]), expected) << "side " << side << " alignment " << i;
      scored += expected != -2;
    }
    EXPECT_GT(scored, static_cast<int>(alignments.size()) / 2) << "side " << side;
  }
}

TEST(AlignedCorrelation, FlatOverlapsScoreByTheirMeans) {
  const cv::Mat grey(32, 32, CV_32F, cv::Scalar(100)), lighter(32, 32, CV_32F, cv::Scalar(151));
  AlignedCorrelation score(grey, lighter, 0.8);
  EXPECT_NEAR(score(Alignment{}), 1.0 - 51.0 / 255.0, 1e-9);
  EXPECT_EQ(score(Alignment{1, 1, 0.5, 0}), -2);  // half the square: too small an overlap
}

// The block comparison's resampling of a colour square: bitwise warpAffine's
// output over the overlap, for alignments all over the search range and a
// little beyond (scales up to 8%, shifts up to 7% of the side).
TEST(AlignedCorrelation, ResampledOverlapEqualsWarpAffineBitwise) {
  int compared = 0;
  for (const int side : {64, 256, 37}) {
    cv::Mat colour(side, side, CV_32FC3);
    cv::RNG rng(side);
    rng.fill(colour, cv::RNG::UNIFORM, 0, 255);
    cv::GaussianBlur(colour, colour, cv::Size(3, 3), 0.5);
    for (int trial = 0; trial < 60; ++trial) {
      const Alignment a{1 + rng.uniform(-0.08, 0.08), 1 + rng.uniform(-0.08, 0.08), rng.uniform(-0.07, 0.07),
                        rng.uniform(-0.07, 0.07)};
      const cv::Rect rect = overlap_rect(a, side);
      if (rect.area() == 0) continue;
      cv::Mat expected;
      cv::warpAffine(colour, expected, cv::Mat(warp_matrix(a, side)), colour.size(),
                     cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_REPLICATE);
      const cv::Mat got = resampled_overlap(colour, a, rect);
      ASSERT_EQ(got.size(), rect.size());
      const cv::Mat want = expected(rect);
      int differing = 0;
      for (int y = 0; y < rect.height; ++y) {
        for (int x = 0; x < 3 * rect.width; ++x)
          differing += !(got.ptr<float>(y)[x] == want.ptr<float>(y)[x]);
      }
      EXPECT_EQ(differing, 0) << side << " trial " << trial;
      compared += rect.area();
    }
  }
  EXPECT_GT(compared, 60 * 256 * 256 / 2);
}

}  // namespace
}  // namespace popsweep::features
