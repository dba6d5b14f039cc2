#include "worker/features/pixel_verification.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <optional>
#include <utility>
#include <vector>

#include "worker/features/aligned_correlation.h"
#include "worker/features/pixel_verification_blocks.h"
#include "worker/features/shift_correlation.h"
#include "worker/media/image_decoder.h"
#include "worker/media/video_frame_sampler.h"

namespace popsweep::features {
namespace {

constexpr int kCoarseSide = kGlanceSide;  // the exhaustive search runs here
constexpr int kMiddleSide = 64;  // then a local refinement here
constexpr int kFineSide = 128;   // and here
// Blocks are compared here: a line of text 6% of the picture high is 15
// pixels, its strokes one or two, which a smaller square would blur away.
constexpr int kCompareSide = 256;
constexpr int kBlocksPerSide = 32;  // 8-pixel blocks: a word is several
// The glance's detail keeps what varies over less than about a fifth of the
// square: a smooth wash of colour is gone, a copy's edges and spots stay.
constexpr double kGlanceDetailBlur = 2.0;
// A crop of 5% of a side scales that axis by 0.95 (or 1/0.95 seen from the
// cropped copy) and shifts it by up to 5%; the ranges leave a little room.
constexpr double kMaxScaleChange = 0.065;
constexpr double kMaxShift = 0.07;
// Alignments whose overlap covers less of the second picture are no match:
// two crops of one photo sharing half their area must not align.
constexpr double kMinOverlap = 0.8;
// The early check rejects a pair whose worst block at 64 pixels, after the
// quick alignment, is over this many grey levels. Set on the development
// split of the planted truth (docs/METHOD.md, "Verification's cost, fourth
// step"): copies stay at or under 36.5 there but for three of a periodic
// texture, whose quick alignment lands a period off (55.1 to 58.5; the full
// check then accepts them); 80 leaves 21 grey levels above the worst, and
// most distinct pictures that pass the glance lie far above it.
constexpr double kEarlyRejectBlockDifference = 80;
// A mild colour change (the truth's: brightness and contrast within 12% and
// 10%, channel gains within 8%) moves a channel's mean by tens of grey levels
// at most; the tone curves would match any monotone change, a pink card onto
// a blue one. Set on the planted truth (docs/METHOD.md, "Colours that moved
// too far").
constexpr double kMaxColourShift = 60;
// The same edits scale a channel's spread (its contrast) by 1.33 at most.
// Tone matching fits any monotone curve, so two gradient cards, two skies or
// two dark backgrounds of other contrast agree block by block once matched;
// their spreads tell them apart. `kSpreadFloor` grey levels are added to
// both spreads so that a nearly flat channel's JPEG noise is no contrast.
// Set on the planted truth (docs/METHOD.md, "Contrast that moved too far").
constexpr double kMaxContrastChange = 1.5;
constexpr double kSpreadFloor = 2;

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

// The coarse grid: 7 scales per axis (within the largest scale change), 5
// shifts per axis a coarse pixel apart.
constexpr int kScaleSteps = 3;
constexpr int kShiftSteps = 2;

Alignment coarse_alignment(int sx, int sy, int tx, int ty) {
  return {1 + kMaxScaleChange * sx / kScaleSteps, 1 + kMaxScaleChange * sy / kScaleSteps,
          static_cast<double>(tx) / kCoarseSide, static_cast<double>(ty) / kCoarseSide};
}

// The exhaustive search at 32 pixels; the first best in the grid's order.
Alignment coarse_search(const cv::Mat& first_grey, const cv::Mat& second_grey) {
  AlignedCorrelation correlation(first_grey, second_grey, kMinOverlap);
  Alignment best;
  double best_score = -3;
  for (int sx = -kScaleSteps; sx <= kScaleSteps; ++sx) {
    for (int sy = -kScaleSteps; sy <= kScaleSteps; ++sy) {
      for (int tx = -kShiftSteps; tx <= kShiftSteps; ++tx) {
        for (int ty = -kShiftSteps; ty <= kShiftSteps; ++ty) {
          const Alignment a = coarse_alignment(sx, sy, tx, ty);
          const double score = correlation(a);
          if (score > best_score) best_score = score, best = a;
        }
      }
    }
  }
  return best;
}

// The unscaled shift of the coarse grid that correlates best (the first
// best in the grid's order), and its correlation. The grid's shifts are
// whole coarse pixels, which ShiftCorrelation scores.
std::pair<Alignment, double> best_unscaled_shift(const cv::Mat& first_grey, const cv::Mat& second_grey) {
  const ShiftCorrelation correlation(first_grey, second_grey, kMinOverlap);
  std::pair<Alignment, double> best{coarse_alignment(0, 0, 0, 0), -2};
  for (int tx = -kShiftSteps; tx <= kShiftSteps; ++tx) {
    for (int ty = -kShiftSteps; ty <= kShiftSteps; ++ty) {
      const double score = correlation(tx, ty);
      if (score > best.second) best = {coarse_alignment(0, 0, tx, ty), score};
    }
  }
  return best;
}

bool same_alignment(const Alignment& a, const Alignment& b) {
  return a.scale_x == b.scale_x && a.scale_y == b.scale_y && a.shift_x == b.shift_x && a.shift_y == b.shift_y;
}

// The hill climb comes back to alignments it has scored: the other sign of
// a parameter after the first sign moved it, the step back after a move.
// Their scores are looked up instead of computed again (a few dozen
// alignments a climb: a list is enough).
class RememberedCorrelation {
 public:
  RememberedCorrelation(const cv::Mat& first_grey, const cv::Mat& second_grey)
      : correlation_(first_grey, second_grey, kMinOverlap) {}

  double operator()(const Alignment& a) {
    for (const auto& [seen, score] : scored_) {
      if (same_alignment(seen, a)) return score;
    }
    scored_.emplace_back(a, correlation_(a));
    return scored_.back().second;
  }

 private:
  AlignedCorrelation correlation_;
  std::vector<std::pair<Alignment, double>> scored_;
};

// Hill climbing from `start`, one parameter at a time, the step halved when
// no move helps, down to a quarter pixel.
Alignment refine(const cv::Mat& first_grey, const cv::Mat& second_grey, Alignment start, int side) {
  RememberedCorrelation correlation(first_grey, second_grey);
  double best_score = correlation(start);
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
        const double score = correlation(trial);
        if (score > best_score) best_score = score, start = trial, moved = true;
      }
    }
    if (!moved) step /= 2;
  }
  return start;
}

// The squares the blocks are compared on: colour, float, lightly blurred
// (the prepared 8-bit squares, made once per pair and orientation).
cv::Mat compared_square(const cv::Mat& prepared) { return colour_square(prepared, prepared.cols, 0.5); }

// How far the aligned overlap's colour channels moved, before any tone
// matching: the largest change of a channel's mean, and of its spread.
void measure_colour_change(const std::vector<cv::Mat>& moved_channels,
                           const std::vector<cv::Mat>& target_channels, VerificationResult& result) {
  for (int c = 0; c < 3; ++c) {
    cv::Scalar moved_mean, moved_spread, target_mean, target_spread;
    cv::meanStdDev(moved_channels[c], moved_mean, moved_spread);
    cv::meanStdDev(target_channels[c], target_mean, target_spread);
    result.colour_shift = std::max(result.colour_shift, std::fabs(moved_mean[0] - target_mean[0]));
    const double larger = std::max(moved_spread[0], target_spread[0]) + kSpreadFloor;
    const double smaller = std::min(moved_spread[0], target_spread[0]) + kSpreadFloor;
    result.contrast_change = std::max(result.contrast_change, larger / smaller);
  }
}

// After alignment: each channel of the first mapped onto the tones of the
// second, then the worst block's mean absolute difference. The squares'
// side is the full check's 256, or the early check's 64 (blocks of 2
// pixels, the same share of the picture as 8 of 256).
VerificationResult compare_blocks(const cv::Mat& first_colour, const cv::Mat& second_colour,
                                  const Alignment& a, const VerificationSettings& settings) {
  VerificationResult result;
  const int side = first_colour.cols;
  const cv::Rect rect = overlap_rect(a, side);
  result.overlap = static_cast<double>(rect.area()) / (side * side);
  if (rect.area() < kMinOverlap * side * side) {
    result.block_difference = 255;
    return result;
  }
  std::vector<cv::Mat> moved_channels, target_channels;
  cv::split(resampled_overlap(first_colour, a, rect), moved_channels);
  cv::split(second_colour(rect), target_channels);
  cv::Mat difference = cv::Mat::zeros(rect.size(), CV_32F);
  for (int c = 0; c < 3; ++c) {
    const cv::Mat fitted = matched_tones(moved_channels[c], target_channels[c]);
    difference += outside_envelope(fitted, target_channels[c]) / 3.0;
  }
  // Each block's sum in one pass over the overlap (a cv::mean per block
  // cost more in calls than in arithmetic).
  const int block = side / kBlocksPerSide;
  std::array<std::array<double, kBlocksPerSide>, kBlocksPerSide> sums{};
  for (int y = 0; y < rect.height; ++y) {
    const float* row = difference.ptr<float>(y);
    std::array<double, kBlocksPerSide>& sums_of_row = sums[(rect.y + y) / block];
    for (int x = 0; x < rect.width; ++x) sums_of_row[(rect.x + x) / block] += row[x];
  }
  double worst = 0;
  for (int by = 0; by < kBlocksPerSide; ++by) {
    for (int bx = 0; bx < kBlocksPerSide; ++bx) {
      const cv::Rect cell = cv::Rect(bx * block, by * block, block, block) & rect;
      if (cell.area() * 2 < block * block) continue;  // mostly outside the overlap
      worst = std::max(worst, sums[by][bx] / cell.area());
    }
  }
  result.block_difference = worst;
  result.blocks_agree = worst <= settings.max_block_difference;
  // How far colours and contrast moved matters only to blocks that agree
  // (and costs as much again as the tone matching: only then is it measured).
  if (!result.blocks_agree) return result;
  measure_colour_change(moved_channels, target_channels, result);
  result.colours_differ = result.colour_shift > kMaxColourShift;
  result.contrast_differs = !result.colours_differ && result.contrast_change > kMaxContrastChange;
  result.same = !result.colours_differ && !result.contrast_differs;
  return result;
}

// The quick alignment: the hill climb at 64 pixels from the best unscaled
// shift of the coarse grid, without the search over scales.
Alignment quick_alignment(const PreparedPicture& first, const PreparedPicture& second) {
  return refine(first.middle, second.middle, best_unscaled_shift(first.coarse, second.coarse).first, kMiddleSide);
}

// The early check: the blocks at 64 pixels after the quick alignment. A
// tenth of the full check's work; it only rejects, and only pairs far over
// the bound. A quick alignment that overlaps too little proves nothing: the
// full search decides.
std::optional<VerificationResult> early_rejection(const PreparedPicture& first, const PreparedPicture& second,
                                                  const Alignment& quick, const VerificationSettings& settings) {
  VerificationResult early = compare_blocks(compared_square(first.middle_colour),
                                            compared_square(second.middle_colour), quick, settings);
  if (early.overlap < kMinOverlap ||
      early.block_difference <= std::max(kEarlyRejectBlockDifference, settings.max_block_difference))
    return std::nullopt;
  early.same = false;
  early.early = true;
  return early;
}

VerificationResult verify_oriented(const PreparedPicture& first, const PreparedPicture& second,
                                   const VerificationSettings& settings) {
  const Alignment quick = quick_alignment(first, second);
  if (std::optional<VerificationResult> rejected = early_rejection(first, second, quick, settings))
    return *rejected;
  const cv::Mat first_colour = compared_square(first.compare), second_colour = compared_square(second.compare);
  // Any alignment under which every block agrees shows the pictures are one:
  // most copies align from the quick start (a crop's scale is within the
  // hill climb's reach), and skip the search over scales.
  const VerificationResult quick_result =
      compare_blocks(first_colour, second_colour, refine(first.fine, second.fine, quick, kFineSide), settings);
  if (quick_result.same) return quick_result;
  Alignment a = refine(first.middle, second.middle, coarse_search(first.coarse, second.coarse), kMiddleSide);
  a = refine(first.fine, second.fine, a, kFineSide);
  return compare_blocks(first_colour, second_colour, a, settings);
}

PreparedPicture mirrored(const PreparedPicture& picture) {
  PreparedPicture out;
  cv::flip(picture.coarse, out.coarse, 1);
  cv::flip(picture.middle, out.middle, 1);
  cv::flip(picture.fine, out.fine, 1);
  cv::flip(picture.middle_colour, out.middle_colour, 1);
  cv::flip(picture.compare, out.compare, 1);
  return out;
}

}  // namespace

media::RgbImage glance_picture(const media::RgbImage& picture) {
  media::RgbImage out(kGlanceSide, kGlanceSide);
  cv::Mat small(kGlanceSide, kGlanceSide, CV_8UC3, out.pixels.data());
  cv::resize(as_mat(picture), small, small.size(), 0, 0, cv::INTER_AREA);
  return out;
}

PictureGlance glance_at(const media::RgbImage& picture) {
  PictureGlance glance;
  glance.square = grey_square(as_mat(picture), kCoarseSide);
  cv::Mat broad;
  // Reflected borders: a symmetric kernel and border make the detail of a
  // flipped square the flip of its detail, so mirrored copies compare alike.
  cv::GaussianBlur(glance.square, broad, cv::Size(0, 0), kGlanceDetailBlur, kGlanceDetailBlur,
                   cv::BORDER_REFLECT_101);
  glance.detail = glance.square - broad;
  cv::Scalar mean, spread;
  cv::meanStdDev(glance.detail, mean, spread);
  glance.detail_spread = spread[0];
  cv::meanStdDev(glance.square, mean, spread);
  glance.square_spread = spread[0];
  return glance;
}

// The best unscaled-shift correlation of `first` against `second`, or
// against its mirror image as well when allowed.
static double best_orientation(const cv::Mat& first, const cv::Mat& second, bool allow_mirror) {
  double best = best_unscaled_shift(first, second).second;
  if (allow_mirror) {
    cv::Mat flipped;
    cv::flip(second, flipped, 1);
    best = std::max(best, best_unscaled_shift(first, flipped).second);
  }
  return best;
}

double glance_correlation(const PictureGlance& first, const PictureGlance& second, bool allow_mirror) {
  if (first.square_spread < kMinGlanceSquareSpread || second.square_spread < kMinGlanceSquareSpread) return 1;
  return best_orientation(first.square, second.square, allow_mirror);
}

double glance_detail_correlation(const PictureGlance& first, const PictureGlance& second, bool allow_mirror) {
  if (first.detail_spread < kMinGlanceDetailSpread || second.detail_spread < kMinGlanceDetailSpread) return 1;
  return best_orientation(first.detail, second.detail, allow_mirror);
}

PreparedPicture prepare_picture(const media::RgbImage& picture) {
  PreparedPicture prepared;
  // One area resize of the picture to the comparison's 256 pixels (a copy:
  // the picture's pixels may not outlive it), then every smaller square
  // from that one by whole factors (2, 4, 8: OpenCV's fast box averages).
  // Resizing the picture itself to each side cost four general area
  // resizes, most of the preparation when a side is not a multiple of the
  // square's (a 256 x 320 post: 0.4 ms of about 0.55).
  cv::resize(as_mat(picture), prepared.compare, cv::Size(kCompareSide, kCompareSide), 0, 0, cv::INTER_AREA);
  prepared.coarse = grey_square(prepared.compare, kCoarseSide);
  prepared.fine = grey_square(prepared.compare, kFineSide);
  cv::resize(prepared.compare, prepared.middle_colour, cv::Size(kMiddleSide, kMiddleSide), 0, 0,
             cv::INTER_AREA);
  // The grey middle square from that 64-pixel resize (resizing it again to
  // its own size only copies it).
  prepared.middle = grey_square(prepared.middle_colour, kMiddleSide);
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

// A video's first frame comes whole: its decoder has no reduced scale.
static media::RgbImage decoded_at_least(const std::string& path, const std::string& media_type,
                                        const std::string& thumbnail_path, int min_side) {
  if (media_type != "video") return media::decode_image_file_reduced(path, min_side);
  if (!thumbnail_path.empty()) return media::decode_image_file_reduced(thumbnail_path, min_side);
  return media::decode_first_frame(path);
}

media::RgbImage picture_to_verify(const std::string& path, const std::string& media_type,
                                  const std::string& thumbnail_path) {
  return decoded_at_least(path, media_type, thumbnail_path, kCompareSide);
}

media::RgbImage picture_to_glance_at(const std::string& path, const std::string& media_type,
                                     const std::string& thumbnail_path) {
  return decoded_at_least(path, media_type, thumbnail_path, kCoarseSide);
}

}  // namespace popsweep::features
