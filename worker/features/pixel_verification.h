// The second stage of near-duplicate cleaning: whether two pictures that the
// feature search proposed are the same picture, judged on their pixels.
//
// Feature distance cannot tell a cropped repost from a different post on the
// same template (a quote card with other words, a product sheet with another
// product): both lie at similar distances. Pixels can. Both pictures are
// shrunk to a small square, the second is aligned onto the first by a search
// over scale and shift in each axis (a crop of up to ~5% of a side, a resize,
// an aspect change from such a crop), optionally mirrored, and each colour
// channel of the first is fitted to the second by a gain and an offset (mild
// colour edits). Then the aligned overlap is cut into blocks and EVERY block
// must agree: the worst block's mean absolute difference decides, so one
// region with other text, another product or another face rejects the pair
// even when the rest of the picture is identical. docs/METHOD.md says why.
#pragma once

#include <opencv2/core/mat.hpp>
#include <string>

#include "worker/media/rgb_image.h"

namespace popsweep::features {

struct VerificationSettings {
  bool allow_mirror = false;           // dedup.verify_mirror: a left-right flip is still the same picture
  double max_block_difference = 14.0;  // dedup.verify_max_block_difference, grey levels 0-255
};

struct VerificationResult {
  bool same = false;
  double block_difference = 0;  // the worst block's mean absolute difference after alignment (0-255)
  double overlap = 0;           // share of the second picture that the aligned first one covers
  bool mirrored = false;        // the match needed a left-right flip
  bool early = false;           // rejected by the early check: block_difference is at 64 pixels
  bool blocks_agree = false;    // the worst block is within the bound (colours then measured)
  // Measured only where every block agrees (else 0 and 1):
  // the largest difference of a colour channel's mean over the overlap, in
  // grey levels, before the tones are matched: how far the colours moved.
  double colour_shift = 0;
  // The largest ratio of a colour channel's spreads over the overlap (each
  // plus a floor of 2 grey levels), before the tones are matched: how far
  // the contrast moved (1: not at all).
  double contrast_change = 1;
  // Every block agrees once the tones are matched, but the colours moved
  // too far; or they did not, but the contrast did.
  bool colours_differ = false;
  bool contrast_differs = false;
};

// The first, cheap stage: a glance at two pictures. Most candidates the
// feature search proposes are unrelated pictures; their grey 32-pixel squares
// (from a decode at an eighth of the size) do not correlate at any of the 25
// shifts of the coarse grid at scale 1, which a crop of up to 5% of a side,
// a resize or a colour edit still does (about 0.1 ms a pair, against a few
// ms for the full check). Two smooth pictures (colour washes, skies, blurred
// backgrounds) can correlate by their broad light and dark alone; their
// details, the square less its blur, do not, while a copy's still do.
struct PictureGlance {
  cv::Mat square;            // grey, float, lightly blurred: 32 pixels
  cv::Mat detail;            // the square less its Gaussian blur of 2 pixels
  double detail_spread = 0;  // the detail's standard deviation, grey levels
  double square_spread = 0;  // the square's own, grey levels
};

PictureGlance glance_at(const media::RgbImage& picture);

// The 32-pixel picture a glance is made from (the area average of
// `picture`): glance_at of it is glance_at of `picture`, bit for bit.
// Extraction stores it for each picture it decodes (storage/glance_tables.h).
inline constexpr int kGlanceSide = 32;
media::RgbImage glance_picture(const media::RgbImage& picture);

// The best normalised cross-correlation of the 25 unscaled shifts (and of
// the mirrored second picture's, when allowed); 1 (no evidence against the
// pair) when either square is too even in grey to judge by: a gradient
// between two colours of one lightness correlates by its JPEG noise alone.
double glance_correlation(const PictureGlance& first, const PictureGlance& second, bool allow_mirror);

// The same of the two pictures' details; 1 (no evidence against the pair)
// when either picture has too little detail to judge by: a flat card's
// detail is its JPEG noise, which no copy of it need reproduce.
double glance_detail_correlation(const PictureGlance& first, const PictureGlance& second, bool allow_mirror);

// A pair whose glance_correlation is lower is unrelated: rejected before the
// full check. Set on the development split of the planted truth
// (docs/METHOD.md, "Verification's cost, second step").
inline constexpr double kMinGlanceCorrelation = 0.8;

// A pair past that bound whose glance_detail_correlation is lower is
// unrelated too (docs/METHOD.md, "Verification's cost, sixth step"): every
// copy of the planted truth's development split scores 0.77 or more.
inline constexpr double kMinGlanceDetailCorrelation = 0.5;

// Pictures whose detail spreads less than this (grey levels) are not
// judged by their detail (docs/METHOD.md, "Verification's cost, sixth step").
inline constexpr double kMinGlanceDetailSpread = 2.0;

// Pictures whose grey square spreads less than this are not judged at a
// glance at all (docs/METHOD.md, "Contrast that moved too far").
inline constexpr double kMinGlanceSquareSpread = 2.0;

// What verification reads of one picture, made once however many pairs the
// picture is in: its grey squares for each level of the alignment search and
// its colour squares for the early check and the block comparison (about
// 300 KB).
struct PreparedPicture {
  cv::Mat coarse, middle, fine;  // grey, float, lightly blurred: 32, 64 and 128 pixels
  cv::Mat middle_colour;         // colour, 8-bit, 64 pixels: the early check's blocks
  cv::Mat compare;               // colour, 8-bit, 256 pixels, as resized (blurred per pair)
};

PreparedPicture prepare_picture(const media::RgbImage& picture);

VerificationResult verify_prepared(const PreparedPicture& first, const PreparedPicture& second,
                                   const VerificationSettings& settings);

// Both steps at once, for a single pair.
VerificationResult verify_same_picture(const media::RgbImage& first, const media::RgbImage& second,
                                       const VerificationSettings& settings);

// The picture verification looks at: an image file decoded at a reduced
// scale (verification works on 128 pixels), a video's thumbnail file when it
// has one, else its first frame.
media::RgbImage picture_to_verify(const std::string& path, const std::string& media_type,
                                  const std::string& thumbnail_path);
// The same picture decoded at the largest reduction that keeps 32 pixels a side.
media::RgbImage picture_to_glance_at(const std::string& path, const std::string& media_type,
                                     const std::string& thumbnail_path);

}  // namespace popsweep::features
