// The score pixel verification aligns pictures by: the normalised
// cross-correlation of two grey squares after the first is resampled onto
// the second by a scale and a shift per axis.
//
// Verification scores about 1 500 alignments per candidate pair. Done with
// cv::warpAffine and OpenCV's reductions, each score allocated half a dozen
// small matrices and cost more than the arithmetic; here one pass resamples
// and sums. The resampling is warpAffine's own (INTER_LINEAR,
// WARP_INVERSE_MAP, BORDER_REPLICATE on float pictures): the same
// fixed-point positions (1/32 pixel), the same weight table and the same
// order of the four products, so every resampled value is bitwise the one
// warpAffine gives. Only the sums over the overlap are formed otherwise
// than by OpenCV's meanStdDev and mean (in one pass, in double), which moves
// a score by 1e-10 to 1e-9: a choice between two alignments can only change
// where they tie to that precision. The pass runs row by row over columns
// of the first picture gathered per x alignment (vectorised), its sums in
// the order of the per-pixel loop it replaced, so its scores are that
// loop's, bitwise (docs/METHOD.md, "Verification's cost, third step").
#pragma once

#include <array>
#include <opencv2/core/mat.hpp>
#include <opencv2/core/matx.hpp>
#include <vector>

namespace popsweep::features {

// Second-picture pixel (x, y) sits at first-picture pixel
// (scale_x * x + shift_x * side, scale_y * y + shift_y * side), on pixel centres.
struct Alignment {
  double scale_x = 1, scale_y = 1, shift_x = 0, shift_y = 0;
};

// The inverse map warpAffine takes for `a` on squares of `side` pixels.
cv::Matx23d warp_matrix(const Alignment& a, int side);

// The rectangle of the second picture whose pixels map inside the first.
cv::Rect overlap_rect(const Alignment& a, int side);

// The sum of an integral image (cv::integral, CV_64F) over a rectangle.
double rectangle_sum(const cv::Mat& integral, const cv::Rect& r);

// What both scorers sum over an overlap of n pixels, a the first picture's
// values, b the second's: the sums of a, a^2, b, b^2, and of a * (b -
// centre_b), centre_b a float near the mean of b (so that the products
// cancel little).
struct OverlapSums {
  double n = 0, sum_a = 0, square_a = 0, sum_b = 0, square_b = 0, cross = 0;
  float centre_b = 0;
};

// Their normalised cross-correlation, in [-1, 1]; two flat overlaps score
// by how close their means are.
double correlation_from_sums(const OverlapSums& sums);

// The first picture (a colour float square, CV_32FC3) resampled onto the
// second's pixels of `rect` (inside overlap_rect(a, side)): bitwise what
// cv::warpAffine(first, out, warp_matrix(a, side), ..., INTER_LINEAR |
// WARP_INVERSE_MAP, BORDER_REPLICATE)(rect) gives, by the same positions
// and weights as the scorer below, without resampling the pixels outside
// the overlap or going through warpAffine's general map (the block
// comparison's largest single step at 256 pixels).
cv::Mat resampled_overlap(const cv::Mat& first_colour, const Alignment& a, const cv::Rect& rect);

// Scores alignments of one pair of grey float squares (CV_32F, side x side),
// which it keeps references to: both must outlive it.
// Keeps its workspace, so one scorer per thread.
class AlignedCorrelation {
 public:
  // An alignment whose overlap covers less than `min_overlap` of the square
  // scores -2: no match.
  AlignedCorrelation(const cv::Mat& first_grey, const cv::Mat& second_grey, double min_overlap);

  // In [-1, 1]: blind to gain and offset. Two flat overlaps score by how
  // close their means are.
  double operator()(const Alignment& a);

 private:
  const cv::Mat& first_;
  const cv::Mat& second_;
  int side_;
  double min_overlap_;
  cv::Mat sum_, square_sum_;  // the second picture's integral images
  std::vector<int> left_, right_, column_fraction_, top_, bottom_, row_fraction_;
  // The first picture's columns as one alignment's x reads them, and their
  // bilinear weights.
  struct ColumnMap {
    double scale = 0, offset = 0;  // the warp matrix's x row
    std::vector<float> left_columns, right_columns, left_weight, right_weight;
  };
  static constexpr int kKeptColumnMaps = 8;
  std::array<ColumnMap, kKeptColumnMaps> column_maps_;
  int kept_maps_ = 0, next_map_ = 0;
  // One row's resampled values and second-picture differences (padded to whole pairs of x).
  std::vector<float> moved_, difference_;

  const ColumnMap& map_columns(const cv::Matx23d& m);
  void resample_row(const ColumnMap& map, int y, const cv::Rect& rect, float* out) const;
};

}  // namespace popsweep::features
