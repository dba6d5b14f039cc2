#include "worker/features/augmentation.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <random>

#include "common/sha256.h"

namespace popsweep::features {
namespace {

double uniform(std::mt19937_64& random, double low, double high) {
  // std::uniform_real_distribution's output is implementation-defined; this
  // is not, so views are identical across standard libraries.
  const double unit = static_cast<double>(random() >> 11) * (1.0 / 9007199254740992.0);
  return low + (high - low) * unit;
}

std::uint8_t clamp_to_byte(double value) {
  return static_cast<std::uint8_t>(std::clamp(std::lround(value), 0L, 255L));
}

void apply_colour_jitter(media::RgbImage& image, const AugmentationDraw& draw) {
  const size_t pixels = static_cast<size_t>(image.width) * image.height;
  if (pixels == 0) return;
  // Contrast pivots on the mean grey level of the whole image (like
  // tf.image.adjust_contrast); saturation pivots on each pixel's grey value.
  double mean_grey = 0;
  for (size_t i = 0; i < pixels; ++i) {
    const std::uint8_t* p = &image.pixels[3 * i];
    mean_grey += 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
  }
  mean_grey /= static_cast<double>(pixels);
  const double offset = draw.brightness * 255.0;
  for (size_t i = 0; i < pixels; ++i) {
    std::uint8_t* p = &image.pixels[3 * i];
    const double grey = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
    for (int c = 0; c < 3; ++c) {
      double value = grey + draw.saturation * (p[c] - grey);
      value = mean_grey + draw.contrast * (value - mean_grey);
      p[c] = clamp_to_byte(value + offset);
    }
  }
}

}  // namespace

AugmentationDraw draw_augmentation(std::uint64_t seed, const AugmentationSettings& settings) {
  std::mt19937_64 random(seed);
  AugmentationDraw draw;
  draw.flip = settings.horizontal_flip && (random() & 1) != 0;
  draw.shift_x = uniform(random, -settings.max_translation, settings.max_translation);
  draw.shift_y = uniform(random, -settings.max_translation, settings.max_translation);
  draw.scale = uniform(random, 1.0 - settings.max_zoom, 1.0 + settings.max_zoom);
  draw.brightness = uniform(random, -settings.max_brightness, settings.max_brightness);
  draw.contrast = uniform(random, 1.0 - settings.max_contrast, 1.0 + settings.max_contrast);
  draw.saturation = uniform(random, 1.0 - settings.max_saturation, 1.0 + settings.max_saturation);
  return draw;
}

media::RgbImage apply_augmentation(const media::RgbImage& image, const AugmentationDraw& draw) {
  media::RgbImage out(image.width, image.height);
  if (image.empty()) return out;
  const double width = image.width, height = image.height;
  // Output pixel centre (x, y) samples the input at
  //   centre + (flip ? -1 : 1) * (x - centre - shift) / scale
  // i.e. shift after zoom about the centre, then mirror.
  const double cx = (width - 1) / 2, cy = (height - 1) / 2;
  const double sign = draw.flip ? -1.0 : 1.0;
  const double a = sign / draw.scale, e = 1.0 / draw.scale;
  const double tx = draw.shift_x * width, ty = draw.shift_y * height;
  cv::Mat inverse = (cv::Mat_<double>(2, 3) << a, 0, cx - a * (cx + tx), 0, e, cy - e * (cy + ty));
  const cv::Mat source(image.height, image.width, CV_8UC3, const_cast<std::uint8_t*>(image.pixels.data()));
  cv::Mat target(out.height, out.width, CV_8UC3, out.pixels.data());
  cv::warpAffine(source, target, inverse, target.size(), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP,
                 cv::BORDER_REFLECT_101);
  apply_colour_jitter(out, draw);
  return out;
}

std::uint64_t augmentation_seed(std::uint64_t base_seed, const std::string& content_hash, int view) {
  const std::string digest = sha256_hex(std::to_string(base_seed) + "/" + content_hash + "/" + std::to_string(view));
  return std::stoull(digest.substr(0, 16), nullptr, 16);
}

}  // namespace popsweep::features
