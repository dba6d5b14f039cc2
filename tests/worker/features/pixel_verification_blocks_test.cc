// The block comparison's per-pixel steps (issue 21) against the code they
// replaced: the tone curve found by a binary search per value, and the
// outside-the-envelope difference built from cv::dilate, cv::erode and
// OpenCV matrix expressions. The envelope is equal bitwise. The tone curve
// may differ in a float's last bit or two (none did on these planes): its
// band sums are added in four interleaved sets and each segment is applied
// as a gain and an offset (issue 21, fifth step), which rounds otherwise
// than the interpolation between two points; a worst block moves by far
// less than the 0.001 grey level the pairs files print (they stayed byte
// for byte the same on the paper-size profile and on the planted truth).
#include "worker/features/pixel_verification_blocks.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

namespace popsweep::features {
namespace {

// The first version of the tone curve: points as now, each value's segment
// found with std::lower_bound.
cv::Mat reference_matched_tones(const cv::Mat& from, const cv::Mat& to) {
  constexpr int kBands = 32;
  std::array<double, kBands> sum_from{}, sum_to{}, count{};
  for (int y = 0; y < from.rows; ++y) {
    for (int x = 0; x < from.cols; ++x) {
      const double f = from.at<float>(y, x);
      const int band = std::clamp(static_cast<int>(f / (256.0 / kBands)), 0, kBands - 1);
      sum_from[band] += f, sum_to[band] += to.at<float>(y, x), count[band] += 1;
    }
  }
  std::vector<double> at, level;
  for (int b = 0; b < kBands; ++b) {
    if (count[b] >= 4) at.push_back(sum_from[b] / count[b]), level.push_back(sum_to[b] / count[b]);
  }
  if (at.empty()) return from.clone();
  auto map = [&](double value) {
    const auto upper = std::lower_bound(at.begin(), at.end(), value);
    if (upper == at.begin()) return level.front() + (value - at.front());
    if (upper == at.end()) return level.back() + (value - at.back());
    const std::size_t high = static_cast<std::size_t>(upper - at.begin()), low = high - 1;
    const double t = (value - at[low]) / (at[high] - at[low]);
    return level[low] * (1 - t) + level[high] * t;
  };
  cv::Mat out(from.size(), CV_32F);
  for (int y = 0; y < from.rows; ++y) {
    for (int x = 0; x < from.cols; ++x) out.at<float>(y, x) = static_cast<float>(map(from.at<float>(y, x)));
  }
  return out;
}

// The first version of the envelope difference, with OpenCV's morphology.
cv::Mat reference_outside_envelope(const cv::Mat& a, const cv::Mat& b) {
  auto one_way = [](const cv::Mat& x, const cv::Mat& y) {
    cv::Mat high, low;
    const cv::Mat kernel = cv::Mat::ones(3, 3, CV_8U);
    cv::dilate(y, high, kernel);
    cv::erode(y, low, kernel);
    cv::Mat above = cv::max(x - high, 0.0);
    cv::Mat below = cv::max(low - x, 0.0);
    return cv::Mat(cv::max(above, below));
  };
  return cv::max(one_way(a, b), one_way(b, a));
}

// A blurred random plane of grey levels: smooth areas (long runs in one
// tone band) and edges, as an aligned picture has.
cv::Mat plane(cv::Size size, int seed, double blur) {
  cv::RNG rng(seed);
  cv::Mat out(size, CV_32F);
  rng.fill(out, cv::RNG::UNIFORM, 0, 255);
  if (blur > 0) cv::GaussianBlur(out, out, cv::Size(0, 0), blur);
  return out;
}

// Which pixels differ at all (a NaN would differ too).
int pixels_differing(const cv::Mat& a, const cv::Mat& b) {
  int differing = 0;
  for (int y = 0; y < a.rows; ++y) {
    for (int x = 0; x < a.cols; ++x) differing += !(a.at<float>(y, x) == b.at<float>(y, x));
  }
  return differing;
}

const std::vector<cv::Size> kSizes = {{256, 256}, {243, 229}, {7, 1}, {1, 9}, {2, 2}, {1, 1}};

TEST(PixelVerificationBlocks, OutsideEnvelopeEqualsOpenCvMorphologyBitwise) {
  int compared = 0;
  for (const cv::Size size : kSizes) {
    for (const double blur : {0.0, 2.0}) {
      const cv::Mat a = plane(size, size.area(), blur);
      // The second: the first moved by a pixel, plus a patch of its own.
      cv::Mat b;
      cv::warpAffine(a, b, cv::Matx23d(1, 0, 1, 0, 1, 0), size, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
      cv::rectangle(b, {size.width / 3, size.height / 3}, {size.width / 2, size.height / 2}, cv::Scalar(250),
                    -1);
      const cv::Mat expected = reference_outside_envelope(a, b);
      const cv::Mat got = outside_envelope(a, b);
      ASSERT_EQ(got.size(), expected.size());
      EXPECT_EQ(pixels_differing(got, expected), 0) << size;
      compared += got.total();
    }
  }
  // The patch and the shifted edges make the difference non-trivial.
  const cv::Mat a = plane({256, 256}, 1, 2.0), b = plane({256, 256}, 2, 2.0);
  EXPECT_GT(cv::countNonZero(outside_envelope(a, b)), 1000);
  EXPECT_GT(compared, 2 * 256 * 256);
}

// The largest difference between two float planes, and how many pixels differ at all.
std::pair<double, int> largest_difference(const cv::Mat& a, const cv::Mat& b) {
  return {cv::norm(a, b, cv::NORM_INF), pixels_differing(a, b)};
}

// Within 2e-5 of a grey level: a float's last bit or two at the top of the range.
constexpr double kToneTolerance = 2e-5;

TEST(PixelVerificationBlocks, MatchedTonesEqualTheCurveFoundByBinarySearch) {
  double largest = 0;
  int differing = 0, compared = 0;
  auto expect_close = [&](const cv::Mat& from, const cv::Mat& to) {
    const auto [difference, pixels] =
        largest_difference(matched_tones(from, to), reference_matched_tones(from, to));
    EXPECT_LE(difference, kToneTolerance) << from.size();
    largest = std::max(largest, difference), differing += pixels, compared += static_cast<int>(from.total());
  };
  for (const cv::Size size : kSizes) {
    for (const double blur : {0.0, 3.0}) {
      const cv::Mat from = plane(size, 2 * size.area() + 1, blur);
      // A monotone tone edit (gamma and gain) plus a changed region.
      cv::Mat to;
      cv::pow(from / 255.0, 0.7, to);
      to = to * 230.0 + 10.0;
      cv::rectangle(to, {0, 0}, {size.width / 4, size.height / 4}, cv::Scalar(30), -1);
      expect_close(from, to);
    }
  }
  // Few tones: one filled band (a shift, no segment), and bands left empty
  // between filled ones; values exactly at a band's edge.
  cv::Mat flat(64, 64, CV_32F, cv::Scalar(100.5)), sparse(64, 64, CV_32F);
  for (int y = 0; y < 64; ++y) {
    for (int x = 0; x < 64; ++x) sparse.at<float>(y, x) = static_cast<float>((x % 3) * 96 + (y % 2) * 8);
  }
  const cv::Mat target = plane({64, 64}, 5, 1.0);
  for (const cv::Mat& from : {flat, sparse}) expect_close(from, target);
  std::printf("%d of %d pixels differ from the binary search's curve, by %.2e grey levels at most\n",
              differing, compared, largest);
}

TEST(PixelVerificationBlocks, APictureMatchedOntoItselfComesBackUnchanged) {
  const cv::Mat picture = plane({96, 80}, 9, 2.0);
  // Each segment's gain is exactly 1 and its offset 0: the same floats.
  EXPECT_EQ(pixels_differing(matched_tones(picture, picture), picture), 0);
  EXPECT_EQ(cv::countNonZero(outside_envelope(picture, picture)), 0);
}

}  // namespace
}  // namespace popsweep::features
