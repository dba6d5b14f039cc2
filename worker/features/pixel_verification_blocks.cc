#include "worker/features/pixel_verification_blocks.h"

#include <algorithm>
#include <array>
#include <limits>
#include <opencv2/core.hpp>
#include <vector>

namespace popsweep::features {
namespace {

constexpr int kBands = 32;
constexpr double kBandWidth = 256.0 / kBands;

// Two doubles (or indices) handled lane by lane (SSE2's pairs on x86-64).
using Lanes = double __attribute__((vector_size(16)));
using Indices = long long __attribute__((vector_size(16)));

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
  std::array<double, kBands> sum_from{}, sum_to{};
  std::array<int, kBands> count{};
  // A row's bands first (a loop the compiler vectorises), then the sums:
  // each band's additions in raster order, as a single loop would make
  // them (the same doubles, bitwise), without the band's division and clamp
  // in the chain of dependent additions.
  std::vector<int> bands(static_cast<std::size_t>(from.cols));
  for (int y = 0; y < from.rows; ++y) {
    const float* f = from.ptr<float>(y);
    const float* t = to.ptr<float>(y);
    for (int x = 0; x < from.cols; ++x) bands[x] = band_of(f[x]);
    for (int x = 0; x < from.cols; ++x) {
      sum_from[bands[x]] += f[x];
      sum_to[bands[x]] += t[x];
      ++count[bands[x]];
    }
  }
  // Each filled band is a point (mean level of `from`, mean level of `to`)
  // of the curve; between points it is linear, beyond them a shift. A
  // picture mapped onto itself comes back unchanged.
  std::vector<double> at, level;
  std::vector<int> band_of_point;
  for (int b = 0; b < kBands; ++b) {
    if (count[b] >= 4) {
      at.push_back(sum_from[b] / count[b]), level.push_back(sum_to[b] / count[b]), band_of_point.push_back(b);
    }
  }
  if (at.empty()) return from.clone();
  // A point lies inside its own band, so the first point above a value is
  // the first point of the value's band or later: the first from the
  // value's band on, or the one after it when that is the band's own point
  // and lies at or below the value. Found without a search or a branch, for
  // the 200 000 values of a pair.
  const std::size_t points = at.size();
  std::array<std::size_t, kBands> first_point_from{};
  std::array<double, kBands> own_point_at{};  // the band's own point, else +infinity (never below a value)
  for (int b = kBands - 1, next = static_cast<int>(points); b >= 0; --b) {
    if (next > 0 && band_of_point[next - 1] >= b) --next;
    first_point_from[b] = static_cast<std::size_t>(next);
    own_point_at[b] = next < static_cast<int>(points) && band_of_point[next] == b
                          ? at[next]
                          : std::numeric_limits<double>::infinity();
  }
  auto map = [&](double value) {
    const int b = band_of(value);
    const std::size_t high = first_point_from[b] + (own_point_at[b] < value ? 1 : 0);
    if (high == 0) return level.front() + (value - at.front());
    if (high == points) return level.back() + (value - at.back());
    const std::size_t low = high - 1;
    const double t = (value - at[low]) / (at[high] - at[low]);
    return level[low] * (1 - t) + level[high] * t;
  };
  cv::Mat out(from.size(), CV_32F);
  if (points == 1) {  // a shift: no segment to interpolate on
    for (int y = 0; y < from.rows; ++y) {
      const float* f = from.ptr<float>(y);
      float* o = out.ptr<float>(y);
      for (int x = 0; x < from.cols; ++x) o[x] = static_cast<float>(map(f[x]));
    }
    return out;
  }
  // Two values at a time, without a branch: both the segment's
  // interpolation and the shifts beyond the end points are computed (the
  // segment's indices clamped into the curve), then the right one kept.
  auto segment_above = [&](double value) {
    const int b = band_of(value);
    return static_cast<long long>(first_point_from[b]) + (own_point_at[b] < value ? 1 : 0);
  };
  const long long last = static_cast<long long>(points);
  for (int y = 0; y < from.rows; ++y) {
    const float* f = from.ptr<float>(y);
    float* o = out.ptr<float>(y);
    int x = 0;
    for (; x + 1 < from.cols; x += 2) {
      const Lanes value = {f[x], f[x + 1]};
      const Indices high = {segment_above(value[0]), segment_above(value[1])};
      const std::size_t h0 = static_cast<std::size_t>(std::clamp(high[0], 1LL, last - 1));
      const std::size_t h1 = static_cast<std::size_t>(std::clamp(high[1], 1LL, last - 1));
      const Lanes at_low = {at[h0 - 1], at[h1 - 1]}, at_high = {at[h0], at[h1]};
      const Lanes level_low = {level[h0 - 1], level[h1 - 1]}, level_high = {level[h0], level[h1]};
      const Lanes t = (value - at_low) / (at_high - at_low);
      const Lanes inside = level_low * (1 - t) + level_high * t;
      const Lanes below = level.front() + (value - at.front());
      const Lanes beyond = level.back() + (value - at.back());
      const Lanes mapped = high == 0 ? below : (high == last ? beyond : inside);
      o[x] = static_cast<float>(mapped[0]), o[x + 1] = static_cast<float>(mapped[1]);
    }
    for (; x < from.cols; ++x) o[x] = static_cast<float>(map(f[x]));
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
