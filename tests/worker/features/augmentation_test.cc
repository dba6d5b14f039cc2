// M14 augmentations: each transform checked on images whose result is known.
#include "worker/features/augmentation.h"

#include <gtest/gtest.h>

#include <cmath>

namespace popsweep::features {
namespace {

media::RgbImage gradient(int width, int height) {
  media::RgbImage image(width, height);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      std::uint8_t* p = image.row(y) + 3 * x;
      p[0] = static_cast<std::uint8_t>(x * 7);
      p[1] = static_cast<std::uint8_t>(y * 5);
      p[2] = static_cast<std::uint8_t>((x + y) * 3);
    }
  }
  return image;
}

TEST(Augmentation, IdentityDrawLeavesImageUnchanged) {
  const media::RgbImage image = gradient(32, 24);
  EXPECT_EQ(apply_augmentation(image, AugmentationDraw{}).pixels, image.pixels);
}

TEST(Augmentation, FlipMirrorsColumns) {
  const media::RgbImage image = gradient(32, 24);
  AugmentationDraw draw;
  draw.flip = true;
  const media::RgbImage flipped = apply_augmentation(image, draw);
  for (int y = 0; y < 24; ++y) {
    for (int x = 0; x < 32; ++x) {
      for (int c = 0; c < 3; ++c) ASSERT_EQ(flipped.row(y)[3 * x + c], image.row(y)[3 * (31 - x) + c]);
    }
  }
}

TEST(Augmentation, TranslationShiftsByWholePixels) {
  const media::RgbImage image = gradient(40, 20);
  AugmentationDraw draw;
  draw.shift_x = 0.1;  // 4 pixels right
  draw.shift_y = -0.1; // 2 pixels up
  const media::RgbImage shifted = apply_augmentation(image, draw);
  for (int y = 0; y < 18; ++y) {
    for (int x = 4; x < 40; ++x) {
      for (int c = 0; c < 3; ++c) ASSERT_EQ(shifted.row(y)[3 * x + c], image.row(y + 2)[3 * (x - 4) + c]);
    }
  }
}

TEST(Augmentation, ZoomKeepsTheCentreAndMagnifies) {
  media::RgbImage image(41, 41);
  image.row(20)[3 * 30] = 255;  // a red dot 10 px right of the centre
  AugmentationDraw draw;
  draw.scale = 1.1;
  const media::RgbImage zoomed = apply_augmentation(image, draw);
  // Its centre of mass moves to 11 px right of the centre.
  double weight = 0, position = 0;
  for (int x = 0; x < 41; ++x) {
    weight += zoomed.row(20)[3 * x];
    position += zoomed.row(20)[3 * x] * x;
  }
  ASSERT_GT(weight, 0);
  EXPECT_NEAR(position / weight, 31.0, 0.15);
}

TEST(Augmentation, BrightnessContrastSaturationOnFlatColours) {
  media::RgbImage image(2, 1);
  std::uint8_t* p = image.pixels.data();
  p[0] = 100; p[1] = 100; p[2] = 100;  // grey: saturation leaves it alone
  p[3] = 200; p[4] = 100; p[5] = 0;
  AugmentationDraw draw;
  draw.brightness = 0.1;  // +25.5
  const media::RgbImage brighter = apply_augmentation(image, draw);
  EXPECT_EQ(brighter.pixels[0], 126);  // round(125.5)
  EXPECT_EQ(brighter.pixels[5], 26);
  draw = AugmentationDraw{};
  draw.saturation = 0;  // every pixel becomes its grey value
  const media::RgbImage grey = apply_augmentation(image, draw);
  const double luma = 0.299 * 200 + 0.587 * 100;
  EXPECT_EQ(grey.pixels[3], std::lround(luma));
  EXPECT_EQ(grey.pixels[4], std::lround(luma));
  EXPECT_EQ(grey.pixels[0], 100);
}

TEST(Augmentation, DrawsStayInRangeAndAreSeeded) {
  AugmentationSettings settings;
  int flips = 0;
  for (std::uint64_t seed = 0; seed < 500; ++seed) {
    const AugmentationDraw draw = draw_augmentation(seed, settings);
    flips += draw.flip;
    EXPECT_LE(std::abs(draw.shift_x), 0.1);
    EXPECT_LE(std::abs(draw.shift_y), 0.1);
    EXPECT_GE(draw.scale, 0.9);
    EXPECT_LE(draw.scale, 1.1);
  }
  EXPECT_GT(flips, 200);
  EXPECT_LT(flips, 300);
  const AugmentationDraw a = draw_augmentation(7, settings), b = draw_augmentation(7, settings);
  EXPECT_EQ(a.shift_x, b.shift_x);
  EXPECT_EQ(a.saturation, b.saturation);
  EXPECT_EQ(augmentation_seed(1, "abc", 2), augmentation_seed(1, "abc", 2));
  EXPECT_NE(augmentation_seed(1, "abc", 2), augmentation_seed(1, "abc", 3));
}

}  // namespace
}  // namespace popsweep::features
