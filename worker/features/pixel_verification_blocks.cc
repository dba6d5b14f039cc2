#include "worker/features/pixel_verification_blocks.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <opencv2/core.hpp>
#include <vector>

namespace popsweep::features {
namespace {

constexpr int kBands = 32;
constexpr double kBandWidth = 256.0 / kBands;

int band_of(double value) { return std::clamp(static_cast<int>(value / kBandWidth), 0, kBands - 1); }

// The 3x3 maximum and minimum around each pixel, pixels outside the plane
// left out (cv::dilate and cv::erode with their default border), a row
// pass then a column pass: maxima and minima are exact, so their order does
// not matter.
void neighbourhood_range(const cv::Mat& plane, cv::Mat& high, cv::Mat& low) {
  const int rows = plane.rows, cols = plane.cols;
  cv::Mat row_high(plane.size(), CV_32F), row_low(plane.size(), CV_32F);
  for (int y = 0; y < rows; ++y) {
    const float* p = plane.ptr<float>(y);
    float* h = row_high.ptr<float>(y);
    float* l = row_low.ptr<float>(y);
    // The ends have one neighbour in the row, the rest two.
    h[0] = l[0] = p[0];
    if (cols > 1) {
      h[0] = std::max(p[0], p[1]), l[0] = std::min(p[0], p[1]);
      h[cols - 1] = std::max(p[cols - 2], p[cols - 1]), l[cols - 1] = std::min(p[cols - 2], p[cols - 1]);
    }
    for (int x = 1; x + 1 < cols; ++x) h[x] = std::max(std::max(p[x - 1], p[x]), p[x + 1]);
    for (int x = 1; x + 1 < cols; ++x) l[x] = std::min(std::min(p[x - 1], p[x]), p[x + 1]);
  }
  high.create(plane.size(), CV_32F), low.create(plane.size(), CV_32F);
  for (int y = 0; y < rows; ++y) {
    const float* h_here = row_high.ptr<float>(y);
    const float* l_here = row_low.ptr<float>(y);
    const float* h_above = row_high.ptr<float>(std::max(y - 1, 0));
    const float* l_above = row_low.ptr<float>(std::max(y - 1, 0));
    const float* h_below = row_high.ptr<float>(std::min(y + 1, rows - 1));
    const float* l_below = row_low.ptr<float>(std::min(y + 1, rows - 1));
    float* h = high.ptr<float>(y);
    float* l = low.ptr<float>(y);
    // Two loops, each simple enough for the compiler to vectorise.
    for (int x = 0; x < cols; ++x) h[x] = std::max(h_here[x], std::max(h_above[x], h_below[x]));
    for (int x = 0; x < cols; ++x) l[x] = std::min(l_here[x], std::min(l_above[x], l_below[x]));
  }
}

// How far `x` lies outside [low, high]: the larger of x - high and low - x,
// at least 0, each difference rounded as a float as OpenCV's did.
float outside(float x, float high, float low) {
  return std::max(std::max(x - high, 0.f), std::max(low - x, 0.f));
}

}  // namespace

cv::Mat matched_tones(const cv::Mat& from, const cv::Mat& to) {
  // Each pixel's band once, kept for the mapping below.
  const int cols = from.cols;
  std::vector<std::uint8_t> bands(from.total());
  for (int y = 0; y < from.rows; ++y) {
    const float* f = from.ptr<float>(y);
    std::uint8_t* row_bands = &bands[static_cast<std::size_t>(y) * cols];
    for (int x = 0; x < cols; ++x) row_bands[x] = static_cast<std::uint8_t>(band_of(f[x]));
  }
  // The bands' sums in four sets, pixel x in set x % 4: neighbouring pixels
  // mostly share a band, and in one set each addition would wait for the
  // one before it; the four sets' chains run side by side. (A band's sum
  // may differ from a raster-order sum in its last bit.)
  constexpr int kSets = 4;
  std::array<std::array<double, kBands>, kSets> set_from{}, set_to{};
  std::array<std::array<int, kBands>, kSets> set_count{};
  for (int y = 0; y < from.rows; ++y) {
    const float* f = from.ptr<float>(y);
    const float* t = to.ptr<float>(y);
    const std::uint8_t* row_bands = &bands[static_cast<std::size_t>(y) * cols];
    int x = 0;
    for (; x + kSets <= cols; x += kSets) {
      for (int k = 0; k < kSets; ++k) {
        const int b = row_bands[x + k];
        set_from[k][b] += f[x + k], set_to[k][b] += t[x + k], ++set_count[k][b];
      }
    }
    for (; x < cols; ++x)
      set_from[0][row_bands[x]] += f[x], set_to[0][row_bands[x]] += t[x], ++set_count[0][row_bands[x]];
  }
  // Each filled band is a point (mean level of `from`, mean level of `to`)
  // of the curve; between points it is linear, beyond them a shift. A
  // picture mapped onto itself comes back unchanged.
  std::vector<double> at, level;
  std::vector<int> band_of_point;
  for (int b = 0; b < kBands; ++b) {
    const int count = set_count[0][b] + set_count[1][b] + set_count[2][b] + set_count[3][b];
    if (count < 4) continue;
    const double sum_from = (set_from[0][b] + set_from[1][b]) + (set_from[2][b] + set_from[3][b]);
    const double sum_to = (set_to[0][b] + set_to[1][b]) + (set_to[2][b] + set_to[3][b]);
    at.push_back(sum_from / count), level.push_back(sum_to / count), band_of_point.push_back(b);
  }
  if (at.empty()) return from.clone();
  // The curve as lines: line 0 below the first point, line k between points
  // k - 1 and k, the last beyond the last point. A point lies inside its
  // own band, so the first point above a value is the first point of the
  // value's band or later: the first from the value's band on, or the one
  // after it when that is the band's own point and lies at or below the
  // value. Found without a search, for the 200 000 values of a pair.
  const std::size_t points = at.size();
  std::vector<double> gain(points + 1, 1.0), offset(points + 1);
  offset[0] = level.front() - at.front();
  offset[points] = level.back() - at.back();
  for (std::size_t k = 1; k < points; ++k) {
    gain[k] = (level[k] - level[k - 1]) / (at[k] - at[k - 1]);
    offset[k] = level[k - 1] - at[k - 1] * gain[k];
  }
  std::array<std::uint8_t, kBands> first_point_from{};
  std::array<double, kBands> own_point_at{};  // the band's own point, else +infinity (never below a value)
  for (int b = kBands - 1, next = static_cast<int>(points); b >= 0; --b) {
    if (next > 0 && band_of_point[next - 1] >= b) --next;
    first_point_from[b] = static_cast<std::uint8_t>(next);
    own_point_at[b] = next < static_cast<int>(points) && band_of_point[next] == b
                          ? at[next]
                          : std::numeric_limits<double>::infinity();
  }
  cv::Mat out(from.size(), CV_32F);
  for (int y = 0; y < from.rows; ++y) {
    const float* f = from.ptr<float>(y);
    const std::uint8_t* row_bands = &bands[static_cast<std::size_t>(y) * cols];
    float* o = out.ptr<float>(y);
    for (int x = 0; x < cols; ++x) {
      const double value = f[x];
      const int b = row_bands[x];
      const std::size_t line = first_point_from[b] + (own_point_at[b] < value ? 1 : 0);
      o[x] = static_cast<float>(value * gain[line] + offset[line]);
    }
  }
  return out;
}

cv::Mat outside_envelope(const cv::Mat& a, const cv::Mat& b) {
  CV_Assert(a.type() == CV_32F && b.type() == CV_32F && a.size() == b.size());
  cv::Mat high_a, low_a, high_b, low_b;
  neighbourhood_range(a, high_a, low_a);
  neighbourhood_range(b, high_b, low_b);
  cv::Mat out(a.size(), CV_32F);
  for (int y = 0; y < a.rows; ++y) {
    const float* pa = a.ptr<float>(y);
    const float* pb = b.ptr<float>(y);
    const float *ha = high_a.ptr<float>(y), *la = low_a.ptr<float>(y);
    const float *hb = high_b.ptr<float>(y), *lb = low_b.ptr<float>(y);
    float* o = out.ptr<float>(y);
    for (int x = 0; x < a.cols; ++x)
      o[x] = std::max(outside(pa[x], hb[x], lb[x]), outside(pb[x], ha[x], la[x]));
  }
  return out;
}

}  // namespace popsweep::features
