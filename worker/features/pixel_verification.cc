#include "worker/features/pixel_verification.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "worker/media/image_decoder.h"
#include "worker/media/video_frame_sampler.h"

namespace popsweep::features {
namespace {

constexpr int kCoarseSide = 32;  // the exhaustive search runs here
constexpr int kMiddleSide = 64;  // then a local refinement here
constexpr int kFineSide = 128;   // and here
// Blocks are compared here: a line of text 6% of the picture high is 15
// pixels, its strokes one or two, which a smaller square would blur away.
constexpr int kCompareSide = 256;
constexpr int kBlocksPerSide = 32;  // 8-pixel blocks: a word is several
// A crop of 5% of a side scales that axis by 0.95 (or 1/0.95 seen from the
// cropped copy) and shifts it by up to 5%; the ranges leave a little room.
constexpr double kMaxScaleChange = 0.065;
constexpr double kMaxShift = 0.07;
// Alignments whose overlap covers less of the second picture are no match:
// two crops of one photo sharing half their area must not align.
constexpr double kMinOverlap = 0.8;

// Second-picture pixel (x, y) sits at first-picture pixel
// (scale_x * x + shift_x * side, scale_y * y + shift_y * side), on pixel centres.
struct Alignment {
  double scale_x = 1, scale_y = 1, shift_x = 0, shift_y = 0;
};

cv::Mat as_mat(const media::RgbImage& image) {
  return cv::Mat(image.height, image.width, CV_8UC3, const_cast<std::uint8_t*>(image.pixels.data()));
}

// Float square of `side`, lightly blurred so that sub-pixel misalignment
// and JPEG noise do not count as content.
cv::Mat colour_square(const cv::Mat& picture, int side, double blur) {
  cv::Mat small, colour;
  cv::resize(picture, small, cv::Size(side, side), 0, 0, cv::INTER_AREA);
  small.convertTo(colour, CV_32FC3);
  cv::GaussianBlur(colour, colour, cv::Size(3, 3), blur);
  return colour;
}

cv::Mat grey_square(const cv::Mat& picture, int side) {
  cv::Mat grey;
  cv::cvtColor(colour_square(picture, side, 0.8), grey, cv::COLOR_RGB2GRAY);
  return grey;
}

cv::Matx23d warp_matrix(const Alignment& a, int side) {
  const double cx = a.shift_x * side + 0.5 * a.scale_x - 0.5;
  const double cy = a.shift_y * side + 0.5 * a.scale_y - 0.5;
  return {a.scale_x, 0, cx, 0, a.scale_y, cy};
}

// The rectangle of the second picture whose pixels map inside the first.
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

cv::Mat warped(const cv::Mat& first, const Alignment& a, int side) {
  cv::Mat out;
  cv::warpAffine(first, out, cv::Mat(warp_matrix(a, side)), cv::Size(side, side),
                 cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_REPLICATE);
  return out;
}

// Normalised cross-correlation over the overlap: blind to gain and offset,
// so a brightened copy aligns as well as the original. -2 when the overlap
// is too small to count.
double correlation(const cv::Mat& first_grey, const cv::Mat& second_grey, const Alignment& a, int side) {
  const cv::Rect rect = overlap_rect(a, side);
  if (rect.area() < kMinOverlap * side * side) return -2;
  const cv::Mat moved = warped(first_grey, a, side)(rect);
  const cv::Mat target = second_grey(rect);
  cv::Scalar mean_a, std_a, mean_b, std_b;
  cv::meanStdDev(moved, mean_a, std_a);
  cv::meanStdDev(target, mean_b, std_b);
  if (std_a[0] < 1e-3 || std_b[0] < 1e-3) {
    // Flat pictures: equal means are the best a flat pair can do.
    return 1.0 - std::fabs(mean_a[0] - mean_b[0]) / 255.0;
  }
  const double covariance = cv::mean((moved - mean_a[0]).mul(target - mean_b[0]))[0];
  return covariance / (std_a[0] * std_b[0]);
}

Alignment coarse_search(const cv::Mat& first_grey, const cv::Mat& second_grey) {
  Alignment best;
  double best_score = -3;
  const int scale_steps = 3;  // 7 scales per axis
  const int shift_steps = 2;  // 5 shifts per axis, a coarse pixel apart
  for (int sx = -scale_steps; sx <= scale_steps; ++sx) {
    for (int sy = -scale_steps; sy <= scale_steps; ++sy) {
      for (int tx = -shift_steps; tx <= shift_steps; ++tx) {
        for (int ty = -shift_steps; ty <= shift_steps; ++ty) {
          const Alignment a{1 + kMaxScaleChange * sx / scale_steps, 1 + kMaxScaleChange * sy / scale_steps,
                            static_cast<double>(tx) / kCoarseSide, static_cast<double>(ty) / kCoarseSide};
          const double score = correlation(first_grey, second_grey, a, kCoarseSide);
          if (score > best_score) best_score = score, best = a;
        }
      }
    }
  }
  return best;
}

// Hill climbing from `start`, one parameter at a time, the step halved when
// no move helps, down to a quarter pixel.
Alignment refine(const cv::Mat& first_grey, const cv::Mat& second_grey, Alignment start, int side) {
  double best_score = correlation(first_grey, second_grey, start, side);
  double step = 1.0 / side;
  for (int round = 0; round < 40 && step >= 0.25 / side; ++round) {
    bool moved = false;
    for (int parameter = 0; parameter < 4; ++parameter) {
      for (const double sign : {-1.0, 1.0}) {
        Alignment trial = start;
        std::array<double*, 4> fields{&trial.scale_x, &trial.scale_y, &trial.shift_x, &trial.shift_y};
        *fields[parameter] += sign * step;
        if (std::fabs(trial.scale_x - 1) > kMaxScaleChange * 1.2 ||
            std::fabs(trial.scale_y - 1) > kMaxScaleChange * 1.2 || std::fabs(trial.shift_x) > kMaxShift ||
            std::fabs(trial.shift_y) > kMaxShift)
          continue;
        const double score = correlation(first_grey, second_grey, trial, side);
        if (score > best_score) best_score = score, start = trial, moved = true;
      }
    }
    if (!moved) step /= 2;
  }
  return start;
}

// How far each pixel of `a` lies outside the range of `b` around it (3x3),
// and the other way round: a shift of up to a pixel left after alignment
// costs nothing, while a stroke, an edge or a patch that only one picture
// has still counts in full.
cv::Mat outside_envelope(const cv::Mat& a, const cv::Mat& b) {
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

// `from` with its tones mapped onto those of `to`: for each band of grey
// levels of `from`, the mean level `to` has at those pixels, interpolated
// between bands. Any monotone colour edit (gain, offset, gamma, highlights
// clipped by a brightening) maps back; a region whose content changed is a
// minority of its band and keeps its difference.
cv::Mat matched_tones(const cv::Mat& from, const cv::Mat& to) {
  constexpr int kBands = 32;
  constexpr double kBandWidth = 256.0 / kBands;
  std::array<double, kBands> sum_from{}, sum_to{}, count{};
  for (int y = 0; y < from.rows; ++y) {
    const float* f = from.ptr<float>(y);
    const float* t = to.ptr<float>(y);
    for (int x = 0; x < from.cols; ++x) {
      const int band = std::clamp(static_cast<int>(f[x] / kBandWidth), 0, kBands - 1);
      sum_from[band] += f[x];
      sum_to[band] += t[x];
      count[band] += 1;
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
  // A point lies inside its own band, so the first point at or above a
  // value is the first point of the value's band or later: found in
  // constant time, for the 200 000 values of a pair.
  std::array<std::size_t, kBands> first_point_from{};
  for (int b = kBands - 1, next = static_cast<int>(at.size()); b >= 0; --b) {
    if (next > 0 && band_of_point[next - 1] >= b) --next;
    first_point_from[b] = static_cast<std::size_t>(next);
  }
  auto map = [&](double value) {
    const int band = std::clamp(static_cast<int>(value / kBandWidth), 0, kBands - 1);
    std::size_t high = first_point_from[band];
    if (high < at.size() && band_of_point[high] == band && at[high] < value) ++high;
    if (high == 0) return level.front() + (value - at.front());
    if (high == at.size()) return level.back() + (value - at.back());
    const std::size_t low = high - 1;
    const double t = (value - at[low]) / (at[high] - at[low]);
    return level[low] * (1 - t) + level[high] * t;
  };
  cv::Mat out(from.size(), CV_32F);
  for (int y = 0; y < from.rows; ++y) {
    const float* f = from.ptr<float>(y);
    float* o = out.ptr<float>(y);
    for (int x = 0; x < from.cols; ++x) o[x] = static_cast<float>(map(f[x]));
  }
  return out;
}

// After alignment: each channel of the first mapped onto the tones of the
// second, then the worst block's mean absolute difference.
VerificationResult compare_blocks(const cv::Mat& first_square, const cv::Mat& second_square,
                                  const Alignment& a, const VerificationSettings& settings) {
  VerificationResult result;
  const int side = kCompareSide;
  const cv::Rect rect = overlap_rect(a, side);
  result.overlap = static_cast<double>(rect.area()) / (side * side);
  if (rect.area() < kMinOverlap * side * side) {
    result.block_difference = 255;
    return result;
  }
  const cv::Mat first_colour = colour_square(first_square, side, 0.5);
  const cv::Mat second_colour = colour_square(second_square, side, 0.5);
  std::vector<cv::Mat> moved_channels, target_channels;
  cv::split(warped(first_colour, a, side)(rect), moved_channels);
  cv::split(second_colour(rect), target_channels);
  cv::Mat difference = cv::Mat::zeros(rect.size(), CV_32F);
  for (int c = 0; c < 3; ++c) {
    const cv::Mat fitted = matched_tones(moved_channels[c], target_channels[c]);
    difference += outside_envelope(fitted, target_channels[c]) / 3.0;
  }
  const int block = side / kBlocksPerSide;
  double worst = 0;
  for (int by = 0; by < kBlocksPerSide; ++by) {
    for (int bx = 0; bx < kBlocksPerSide; ++bx) {
      const cv::Rect cell = cv::Rect(bx * block, by * block, block, block) & rect;
      if (cell.area() * 2 < block * block) continue;  // mostly outside the overlap
      const cv::Rect local(cell.x - rect.x, cell.y - rect.y, cell.width, cell.height);
      worst = std::max(worst, cv::mean(difference(local))[0]);
    }
  }
  result.block_difference = worst;
  result.same = worst <= settings.max_block_difference;
  return result;
}

VerificationResult verify_oriented(const PreparedPicture& first, const PreparedPicture& second,
                                   const VerificationSettings& settings) {
  Alignment a = coarse_search(first.coarse, second.coarse);
  a = refine(first.middle, second.middle, a, kMiddleSide);
  a = refine(first.fine, second.fine, a, kFineSide);
  return compare_blocks(first.compare, second.compare, a, settings);
}

PreparedPicture mirrored(const PreparedPicture& picture) {
  PreparedPicture out;
  cv::flip(picture.coarse, out.coarse, 1);
  cv::flip(picture.middle, out.middle, 1);
  cv::flip(picture.fine, out.fine, 1);
  cv::flip(picture.compare, out.compare, 1);
  return out;
}

}  // namespace

PreparedPicture prepare_picture(const media::RgbImage& picture) {
  const cv::Mat image = as_mat(picture);
  PreparedPicture prepared;
  prepared.coarse = grey_square(image, kCoarseSide);
  prepared.middle = grey_square(image, kMiddleSide);
  prepared.fine = grey_square(image, kFineSide);
  // The comparison square is copied: the picture's pixels may not outlive it.
  cv::resize(image, prepared.compare, cv::Size(kCompareSide, kCompareSide), 0, 0, cv::INTER_AREA);
  return prepared;
}

VerificationResult verify_prepared(const PreparedPicture& first, const PreparedPicture& second,
                                   const VerificationSettings& settings) {
  VerificationResult result = verify_oriented(first, second, settings);
  if (!result.same && settings.allow_mirror) {
    VerificationResult flipped = verify_oriented(first, mirrored(second), settings);
    flipped.mirrored = true;
    if (flipped.same || flipped.block_difference < result.block_difference) result = flipped;
  }
  return result;
}

VerificationResult verify_same_picture(const media::RgbImage& first, const media::RgbImage& second,
                                       const VerificationSettings& settings) {
  return verify_prepared(prepare_picture(first), prepare_picture(second), settings);
}

media::RgbImage picture_to_verify(const std::string& path, const std::string& media_type,
                                  const std::string& thumbnail_path) {
  if (media_type != "video") return media::decode_image_file_reduced(path, kCompareSide);
  if (!thumbnail_path.empty()) return media::decode_image_file_reduced(thumbnail_path, kCompareSide);
  return media::decode_first_frame(path);
}

}  // namespace popsweep::features
