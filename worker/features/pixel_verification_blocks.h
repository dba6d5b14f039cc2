// The per-pixel steps of pixel verification's block comparison (issue 21):
// the tone curve that maps one picture's channel onto the other's, and how
// far each pixel lies outside the other picture's local range.
//
// Both compute what their first versions computed with OpenCV matrix
// expressions and per-value searches (the tests hold them to those: the
// envelope bitwise, the tone curve to a float's last bit or two), in one or
// two passes with no temporary matrices: the comparison runs on every fully
// checked candidate pair, 3 channels of up to 65 536 pixels each.
#pragma once

#include <opencv2/core/mat.hpp>

namespace popsweep::features {

// `from` with its tones mapped onto those of `to` (float planes of one
// size): for each of 32 bands of grey levels of `from`, the mean level `to`
// has at those pixels, interpolated between bands. Any monotone colour edit
// (gain, offset, gamma, highlights clipped by a brightening) maps back; a
// region whose content changed is a minority of its band and keeps its
// difference.
cv::Mat matched_tones(const cv::Mat& from, const cv::Mat& to);

// How far each pixel of `a` lies outside the range of `b` in its 3x3
// neighbourhood, and the other way round, the larger of the two (float
// planes of one size): a shift of up to a pixel left after alignment costs
// nothing, while a stroke, an edge or a patch that only one picture has
// still counts in full.
cv::Mat outside_envelope(const cv::Mat& a, const cv::Mat& b);

}  // namespace popsweep::features
