// Pixel verification (issue 21) on pictures built here: a textured scene,
// its edited copies (crop, resize, tone change, mirror) and variants that
// change one small region. The real-photo truth is two_stage_dedup_test.py.
#include "worker/features/pixel_verification.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <iostream>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

namespace popsweep::features {
namespace {

cv::Mat scene(int width, int height) {
  cv::Mat image(height, width, CV_8UC3);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      image.at<cv::Vec3b>(y, x) = cv::Vec3b(static_cast<uchar>(120 + 60 * std::sin(x * 0.031 + y * 0.017)),
                                            static_cast<uchar>(110 + 50 * std::cos(y * 0.043)),
                                            static_cast<uchar>(90 + 40 * std::sin((x + 2 * y) * 0.011)));
    }
  }
  cv::circle(image, {width / 3, height / 2}, height / 6, cv::Scalar(20, 200, 40), cv::FILLED);
  cv::rectangle(image, {width * 3 / 5, height / 5}, {width * 4 / 5, height / 2}, cv::Scalar(230, 40, 60),
                cv::FILLED);
  return image;
}

media::RgbImage as_rgb(const cv::Mat& m) {
  media::RgbImage out(m.cols, m.rows);
  cv::Mat continuous = m.clone();
  std::copy(continuous.data, continuous.data + out.pixels.size(), out.pixels.begin());
  return out;
}

const cv::Mat& original() {
  static const cv::Mat image = scene(480, 320);
  return image;
}

VerificationResult verify(const cv::Mat& copy, VerificationSettings settings = {}) {
  return verify_same_picture(as_rgb(original()), as_rgb(copy), settings);
}

TEST(PixelVerification, SamePictureAgreesInEveryBlock) {
  const VerificationResult r = verify(original());
  EXPECT_TRUE(r.same);
  EXPECT_LT(r.block_difference, 1.0);
}

TEST(PixelVerification, AcceptsCropResizeAndToneChange) {
  const cv::Mat cropped = original()(cv::Rect(12, 6, 480 - 20, 320 - 14)).clone();  // ~4% of each side
  cv::Mat resized;
  cv::resize(cropped, resized, {}, 0.6, 0.6, cv::INTER_AREA);
  cv::Mat toned;
  resized.convertTo(toned, -1, 1.1, -12);
  const VerificationResult r = verify(toned);
  EXPECT_TRUE(r.same) << "worst block " << r.block_difference;
}

// The tone curves match any monotone change of a channel, so two cards of
// one layout in other colour schemes agree block by block once matched; a
// mild colour change (the planted truth's strongest: brightness and channel
// gain together) moves a channel's mean by far less than a scheme does.
TEST(PixelVerification, AnotherColourSchemeIsNotAMildColourChange) {
  std::vector<cv::Mat> channels;
  cv::split(original(), channels);
  cv::Mat other_scheme, mild;
  channels[0].convertTo(channels[0], -1, 0.35, 0);  // red much darker
  channels[2].convertTo(channels[2], -1, 1.4, 60);  // blue much lighter
  cv::merge(channels, other_scheme);
  original().convertTo(mild, -1, 1.12 * 1.08, 0);  // brightness +12%, a channel gain +8%
  const VerificationResult scheme = verify(other_scheme), brighter = verify(mild);
  std::cout << "other colour scheme: worst block " << scheme.block_difference << ", colour shift "
            << scheme.colour_shift << "; mild change: worst block " << brighter.block_difference
            << ", colour shift " << brighter.colour_shift << "\n";
  EXPECT_FALSE(scheme.same);
  EXPECT_TRUE(scheme.colours_differ);
  EXPECT_TRUE(brighter.same) << "worst block " << brighter.block_difference;
  EXPECT_LT(brighter.colour_shift, scheme.colour_shift / 2);
}

// A diagonal gradient card between two colours (red, green, blue: as_rgb
// hands the channels over in their order).
cv::Mat gradient_card(cv::Vec3d from, cv::Vec3d to) {
  cv::Mat card(320, 320, CV_8UC3);
  for (int y = 0; y < card.rows; ++y) {
    for (int x = 0; x < card.cols; ++x) {
      const double t = (x + y) / static_cast<double>(card.cols + card.rows - 2);
      const cv::Vec3d colour = from * (1 - t) + to * t;
      card.at<cv::Vec3b>(y, x) =
          cv::Vec3b(cv::saturate_cast<uchar>(colour[0]), cv::saturate_cast<uchar>(colour[1]),
                    cv::saturate_cast<uchar>(colour[2]));
    }
  }
  return card;
}

// Two gradient cards of one layout agree block by block once their tones
// are matched, whatever their colours; when those colours are near (here
// 13 grey levels apart on average), the mean shift cannot tell them apart
// either. The contrast can: the other card spans twice the first's range
// in two channels, a mild colour change (the planted truth's strongest:
// brightness, contrast and a channel gain together) 1.33 times at most.
TEST(PixelVerification, AnotherContrastIsNotAMildColourChange) {
  const cv::Mat card = gradient_card({90, 120, 160}, {150, 160, 200});
  const cv::Mat other = gradient_card({70, 100, 160}, {190, 180, 200});
  cv::Mat mild;
  card.convertTo(mild, -1, 1.12 * 1.1 * 1.08, -0.1 * 1.12 * 1.08 * 150);
  const VerificationSettings settings;
  const VerificationResult another = verify_same_picture(as_rgb(card), as_rgb(other), settings);
  const VerificationResult edited = verify_same_picture(as_rgb(card), as_rgb(mild), settings);
  std::cout << "other card: worst block " << another.block_difference << ", colour shift "
            << another.colour_shift << ", contrast change " << another.contrast_change
            << "; mild change: worst block " << edited.block_difference << ", colour shift "
            << edited.colour_shift << ", contrast change " << edited.contrast_change << "\n";
  EXPECT_LE(another.block_difference, settings.max_block_difference);  // the blocks alone would keep it
  EXPECT_LT(another.colour_shift, 60.0);                               // and so would the colour shift
  EXPECT_TRUE(another.contrast_differs);
  EXPECT_FALSE(another.same);
  EXPECT_TRUE(edited.same) << "worst block " << edited.block_difference;
  EXPECT_LT(edited.contrast_change, 1.4);
  EXPECT_GT(another.contrast_change, 1.7);
}

TEST(PixelVerification, RejectsAChangedRegionEvenWhenTheRestIsIdentical) {
  cv::Mat texted = original().clone();
  cv::putText(texted, "SALE 20%", {40, 290}, cv::FONT_HERSHEY_SIMPLEX, 1.0, cv::Scalar(255, 255, 255), 2);
  cv::Mat other_text = original().clone();
  cv::putText(other_text, "NEW IN", {40, 290}, cv::FONT_HERSHEY_SIMPLEX, 1.0, cv::Scalar(255, 255, 255), 2);
  const VerificationResult r = verify_same_picture(as_rgb(texted), as_rgb(other_text), {});
  EXPECT_FALSE(r.same) << "worst block " << r.block_difference;
  EXPECT_GT(r.overlap, 0.95);  // aligned, and still one region differs
}

TEST(PixelVerification, RejectsCropsSharingLessThanHalf) {
  const cv::Mat left = original()(cv::Rect(0, 0, 300, 320)).clone();
  const cv::Mat right = original()(cv::Rect(180, 0, 300, 320)).clone();
  EXPECT_FALSE(verify_same_picture(as_rgb(left), as_rgb(right), {}).same);
}

TEST(PixelVerification, MirrorOnlyWhenAllowed) {
  cv::Mat mirrored;
  cv::flip(original(), mirrored, 1);
  EXPECT_FALSE(verify(mirrored).same);
  VerificationSettings allow;
  allow.allow_mirror = true;
  const VerificationResult r = verify(mirrored, allow);
  EXPECT_TRUE(r.same);
  EXPECT_TRUE(r.mirrored);
}

// The early check (64 pixels, after the quick alignment) settles a pair of
// other scenes without the full check, and never a copy: an edited copy is
// accepted by the full check, a picture with one changed region is rejected
// by it (its worst block at 64 pixels stays under the early bound).
TEST(PixelVerification, TheEarlyCheckSettlesOtherScenesButNeitherCopiesNorSmallChanges) {
  cv::Mat other_scene = scene(480, 320);
  cv::flip(other_scene, other_scene, 0);
  cv::GaussianBlur(other_scene, other_scene, {0, 0}, 3);
  const VerificationResult other = verify(other_scene);
  EXPECT_FALSE(other.same);
  EXPECT_TRUE(other.early) << "worst block at 64 pixels " << other.block_difference;
  EXPECT_GT(other.block_difference, 80.0);

  const cv::Mat cropped = original()(cv::Rect(12, 6, 480 - 20, 320 - 14)).clone();
  cv::Mat resized;
  cv::resize(cropped, resized, {}, 0.6, 0.6, cv::INTER_AREA);
  resized.convertTo(resized, -1, 1.1, -12);
  const VerificationResult copy = verify(resized);
  EXPECT_TRUE(copy.same);
  EXPECT_FALSE(copy.early);

  cv::Mat texted = original().clone();
  cv::putText(texted, "SALE 20%", {40, 290}, cv::FONT_HERSHEY_SIMPLEX, 1.0, cv::Scalar(255, 255, 255), 2);
  const VerificationResult changed = verify(texted);
  EXPECT_FALSE(changed.same);
  EXPECT_FALSE(changed.early) << "worst block at 64 pixels " << changed.block_difference;
}

// The dedup stage prepares each picture once and verifies every pair it is in
// from the prepared squares: one prepared picture against several copies
// decides each pair as a verification from the decoded pictures does, and
// a prepared picture does not depend on the pixels it was made from staying alive.
TEST(PixelVerification, APicturePreparedOnceServesEveryPair) {
  PreparedPicture prepared;
  {
    const media::RgbImage decoded = as_rgb(original());
    prepared = prepare_picture(decoded);
  }
  cv::Mat mirrored, texted = original().clone();
  cv::flip(original(), mirrored, 1);
  cv::putText(texted, "SALE 20%", {40, 290}, cv::FONT_HERSHEY_SIMPLEX, 1.0, cv::Scalar(255, 255, 255), 2);
  const cv::Mat cropped = original()(cv::Rect(12, 6, 480 - 20, 320 - 14)).clone();
  VerificationSettings allow;
  allow.allow_mirror = true;
  for (const cv::Mat& copy : {cropped, mirrored, texted}) {
    const media::RgbImage other = as_rgb(copy);
    const VerificationResult once = verify_prepared(prepared, prepare_picture(other), allow);
    const VerificationResult direct = verify_same_picture(as_rgb(original()), other, allow);
    EXPECT_EQ(once.same, direct.same);
    EXPECT_EQ(once.mirrored, direct.mirrored);
    EXPECT_DOUBLE_EQ(once.block_difference, direct.block_difference);
  }
  EXPECT_TRUE(verify_prepared(prepared, prepare_picture(as_rgb(cropped)), {}).same);
  EXPECT_TRUE(verify_prepared(prepared, prepare_picture(as_rgb(mirrored)), allow).mirrored);
  EXPECT_FALSE(verify_prepared(prepared, prepare_picture(as_rgb(texted)), allow).same);
}

// The glance (the cheap first stage) at squares from pictures decoded at an
// eighth of their size: a crop of ~4% of each side, a 60% resize with a tone
// change and a mirrored copy (when allowed) clear the bound the dedup stage
// uses; another scene does not, nor a mirror when mirrors are not allowed.
PictureGlance glance_at_an_eighth(const cv::Mat& picture) {
  cv::Mat eighth;
  cv::resize(picture, eighth, {}, 0.125, 0.125, cv::INTER_AREA);
  return glance_at(as_rgb(eighth));
}

// A crop of 5% of each side (all of it from the right and bottom, the glance's
// worst case: content moves by up to 5% towards one corner), a 60% resize and
// a tone change.
cv::Mat edited_copy(const cv::Mat& picture) {
  const int width = picture.cols * 95 / 100, height = picture.rows * 95 / 100;
  cv::Mat copy;
  cv::resize(picture(cv::Rect(0, 0, width, height)), copy, {}, 0.6, 0.6, cv::INTER_AREA);
  copy.convertTo(copy, -1, 1.1, -12);
  return copy;
}

TEST(PixelVerification, AGlanceSeparatesEditedCopiesFromOtherPictures) {
  const auto glance = glance_at_an_eighth;
  const double bound = kMinGlanceCorrelation;
  const PictureGlance original_glance = glance(original());
  const cv::Mat cropped = original()(cv::Rect(12, 6, 480 - 20, 320 - 14)).clone();
  cv::Mat resized, mirrored;
  cv::resize(cropped, resized, {}, 0.6, 0.6, cv::INTER_AREA);
  resized.convertTo(resized, -1, 1.1, -12);
  cv::flip(original(), mirrored, 1);
  for (const cv::Mat& copy : {cropped, resized, edited_copy(original())}) {
    EXPECT_GE(glance_correlation(original_glance, glance(copy), false), bound);
    EXPECT_GE(glance_detail_correlation(original_glance, glance(copy), false), kMinGlanceDetailCorrelation);
  }
  EXPECT_GE(glance_correlation(original_glance, glance(mirrored), true), bound);
  EXPECT_GE(glance_detail_correlation(original_glance, glance(mirrored), true), kMinGlanceDetailCorrelation);
  EXPECT_LT(glance_correlation(original_glance, glance(mirrored), false), bound);
  cv::Mat other_scene;
  cv::flip(scene(320, 480), other_scene, 0);
  cv::resize(other_scene, other_scene, {480, 320});
  EXPECT_LT(glance_correlation(original_glance, glance(other_scene), true), bound);
}

// A wash of colour (light and dark that vary over a third of the picture
// or more) with spots scattered by `seed`, as the synthetic profiles' posts
// are: two washes alike with other spots are other pictures that correlate
// by their light alone.
cv::Mat spotted_wash(int seed) {
  cv::Mat image(320, 320, CV_8UC3);
  for (int y = 0; y < image.rows; ++y) {
    for (int x = 0; x < image.cols; ++x) {
      image.at<cv::Vec3b>(y, x) =
          cv::Vec3b(static_cast<uchar>(128 + 70 * std::sin(x * 0.012 + 0.4) * std::cos(y * 0.009)),
                    static_cast<uchar>(120 + 60 * std::cos(x * 0.008 - y * 0.01)),
                    static_cast<uchar>(100 + 50 * std::sin(y * 0.011)));
    }
  }
  cv::RNG rng(static_cast<std::uint64_t>(seed));
  for (int spot = 0; spot < 60; ++spot) {
    const cv::Point centre(rng.uniform(0, image.cols), rng.uniform(0, image.rows));
    const int shade = rng.uniform(0, 2) ? 250 : 10;
    cv::circle(image, centre, rng.uniform(2, 7), cv::Scalar(shade, shade, shade), cv::FILLED);
  }
  return image;
}

// Planted truth for the glance's second score: two washes alike with other
// spots pass the glance's layout bound (so the full check used to settle
// them) but not its detail bound, while an edited copy of one passes both.
TEST(PixelVerification, TheGlancesDetailSeparatesPicturesAlikeOnlyInTheirLight) {
  const PictureGlance first = glance_at_an_eighth(spotted_wash(1));
  const PictureGlance other = glance_at_an_eighth(spotted_wash(2));
  const PictureGlance copy = glance_at_an_eighth(edited_copy(spotted_wash(1)));
  const double other_layout = glance_correlation(first, other, false);
  const double other_detail = glance_detail_correlation(first, other, false);
  const double copy_layout = glance_correlation(first, copy, false);
  const double copy_detail = glance_detail_correlation(first, copy, false);
  std::cout << "other spots: layout " << other_layout << ", detail " << other_detail
            << "; edited copy: layout " << copy_layout << ", detail " << copy_detail << " (bounds "
            << kMinGlanceCorrelation << " and " << kMinGlanceDetailCorrelation << "; detail spread "
            << first.detail_spread << ")\n";
  EXPECT_GE(first.detail_spread, kMinGlanceDetailSpread);
  EXPECT_GE(other_layout, kMinGlanceCorrelation);
  EXPECT_LT(other_detail, kMinGlanceDetailCorrelation);
  EXPECT_GE(copy_layout, kMinGlanceCorrelation);
  EXPECT_GE(copy_detail, kMinGlanceDetailCorrelation);
}

// A picture with almost no detail (a gradient, re-encoded) is not judged by
// it: its detail is mostly JPEG noise, which a copy need not share.
TEST(PixelVerification, APictureWithoutDetailIsNotJudgedByIt) {
  cv::Mat gradient(320, 320, CV_8UC3);
  for (int y = 0; y < gradient.rows; ++y) {
    for (int x = 0; x < gradient.cols; ++x)
      gradient.at<cv::Vec3b>(y, x) =
          cv::Vec3b(static_cast<uchar>(60 + x / 3), 90, static_cast<uchar>(40 + y / 2));
  }
  std::vector<std::uint8_t> bytes;
  cv::imencode(".jpg", gradient, bytes, {cv::IMWRITE_JPEG_QUALITY, 50});
  const cv::Mat reencoded = cv::imdecode(bytes, cv::IMREAD_COLOR);
  const PictureGlance first = glance_at_an_eighth(gradient),
                      copy = glance_at_an_eighth(edited_copy(reencoded));
  EXPECT_LT(first.detail_spread, kMinGlanceDetailSpread);
  EXPECT_GE(glance_correlation(first, copy, false), kMinGlanceCorrelation);
  EXPECT_EQ(glance_detail_correlation(first, copy, false), 1.0);
}

// A gradient between two colours of one lightness is all but flat in grey:
// its squares correlate by their JPEG noise, so a re-encoded copy could fail
// the glance by chance. Such a picture is not judged at a glance; the full
// check, on colour blocks, keeps the copy.
TEST(PixelVerification, APictureEvenInGreyIsNotJudgedAtAGlance) {
  // Red up by 60 and blue down by 157: 0.299 x 60 = 0.114 x 157 in grey.
  const cv::Mat card = gradient_card({100, 80, 220}, {160, 80, 63});
  std::vector<std::uint8_t> bytes;
  cv::imencode(".jpg", card, bytes, {cv::IMWRITE_JPEG_QUALITY, 55});
  const cv::Mat reencoded = cv::imdecode(bytes, cv::IMREAD_COLOR);
  const PictureGlance first = glance_at_an_eighth(card), copy = glance_at_an_eighth(reencoded);
  std::cout << "grey spread of the squares: " << first.square_spread << " and " << copy.square_spread
            << " (bound " << kMinGlanceSquareSpread << ")\n";
  EXPECT_LT(first.square_spread, kMinGlanceSquareSpread);
  EXPECT_EQ(glance_correlation(first, copy, false), 1.0);
  EXPECT_TRUE(verify_same_picture(as_rgb(card), as_rgb(reencoded), {}).same);
  // A picture with light and dark is judged as before.
  EXPECT_GE(glance_at_an_eighth(original()).square_spread, kMinGlanceSquareSpread);
}

// Extraction stores glance_picture of each picture it decodes, and the dedup
// stage glances at that instead of decoding the file again: glance_at of
// the stored 32-pixel picture is glance_at of the picture itself, bit for bit.
TEST(PixelVerification, AStoredGlancePictureGivesTheSameGlance) {
  for (const cv::Mat& picture : {original(), spotted_wash(3)}) {
    const media::RgbImage whole = as_rgb(picture);
    const media::RgbImage stored = glance_picture(whole);
    EXPECT_EQ(stored.width, kGlanceSide);
    EXPECT_EQ(stored.height, kGlanceSide);
    const PictureGlance direct = glance_at(whole), from_stored = glance_at(stored);
    EXPECT_EQ(cv::norm(direct.square, from_stored.square, cv::NORM_INF), 0.0);
    EXPECT_EQ(cv::norm(direct.detail, from_stored.detail, cv::NORM_INF), 0.0);
    EXPECT_EQ(direct.detail_spread, from_stored.detail_spread);
  }
}

}  // namespace
}  // namespace popsweep::features
