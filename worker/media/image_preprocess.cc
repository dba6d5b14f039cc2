#include "worker/media/image_preprocess.h"

#include <algorithm>
#include <cstdint>
#include <stdexcept>

namespace popsweep::media {
namespace {

// PIL's fixed-point format for 8-bit resampling: weights carry 22 fractional
// bits, leaving room for 8-bit samples and a few bits of headroom in 32 bits.
constexpr int kPrecisionBits = 32 - 8 - 2;

// The input pixels [first, first + weights.size()) that blend into one output pixel.
struct FilterTaps {
  int first = 0;
  std::vector<std::int32_t> weights;
};

double triangle(double x) {
  x = x < 0.0 ? -x : x;
  return x < 1.0 ? 1.0 - x : 0.0;
}

std::int32_t to_fixed_point(double weight) {
  const double scaled = weight * (1 << kPrecisionBits);
  return static_cast<std::int32_t>(scaled < 0.0 ? scaled - 0.5 : scaled + 0.5);
}

// The arithmetic, including its order and the truncating casts, follows PIL so
// that the weights (and hence the pixels) come out identical.
std::vector<FilterTaps> bilinear_taps(int input_size, int output_size) {
  const double scale = static_cast<double>(input_size) / output_size;
  const double filter_scale = std::max(scale, 1.0);
  const double support = 1.0 * filter_scale;  // the triangle spans +-1 input pixel, widened when shrinking
  const double inverse_filter_scale = 1.0 / filter_scale;
  std::vector<FilterTaps> all_taps(static_cast<std::size_t>(output_size));
  std::vector<double> weights;
  for (int out = 0; out < output_size; ++out) {
    const double center = (out + 0.5) * scale;
    const int first = std::max(static_cast<int>(center - support + 0.5), 0);
    const int end = std::min(static_cast<int>(center + support + 0.5), input_size);
    weights.clear();
    double total = 0.0;
    for (int x = first; x < end; ++x) {
      weights.push_back(triangle((x - center + 0.5) * inverse_filter_scale));
      total += weights.back();
    }
    FilterTaps& taps = all_taps[static_cast<std::size_t>(out)];
    taps.first = first;
    for (double weight : weights)
      taps.weights.push_back(to_fixed_point(total != 0.0 ? weight / total : weight));
  }
  return all_taps;
}

std::uint8_t blend(const std::uint8_t* samples, std::size_t stride, const FilterTaps& taps) {
  std::int64_t sum = std::int64_t{1} << (kPrecisionBits - 1);  // rounds the final shift
  for (std::size_t k = 0; k < taps.weights.size(); ++k)
    sum += samples[k * stride] * std::int64_t{taps.weights[k]};
  return static_cast<std::uint8_t>(std::clamp<std::int64_t>(sum >> kPrecisionBits, 0, 255));
}

RgbImage resize_horizontally(const RgbImage& image, int width) {
  const std::vector<FilterTaps> taps = bilinear_taps(image.width, width);
  RgbImage resized(width, image.height);
  for (int y = 0; y < image.height; ++y) {
    const std::uint8_t* in = image.row(y);
    std::uint8_t* out = resized.row(y);
    for (int x = 0; x < width; ++x) {
      const FilterTaps& tap = taps[static_cast<std::size_t>(x)];
      for (int c = 0; c < 3; ++c) out[x * 3 + c] = blend(in + tap.first * 3 + c, 3, tap);
    }
  }
  return resized;
}

RgbImage resize_vertically(const RgbImage& image, int height) {
  const std::vector<FilterTaps> taps = bilinear_taps(image.height, height);
  const std::size_t row_bytes = static_cast<std::size_t>(image.width) * 3;
  RgbImage resized(image.width, height);
  for (int y = 0; y < height; ++y) {
    const FilterTaps& tap = taps[static_cast<std::size_t>(y)];
    const std::uint8_t* in = image.row(tap.first);
    std::uint8_t* out = resized.row(y);
    for (std::size_t i = 0; i < row_bytes; ++i) out[i] = blend(in + i, row_bytes, tap);
  }
  return resized;
}

}  // namespace

RgbImage resize_bilinear(const RgbImage& image, int width, int height) {
  if (width <= 0 || height <= 0) throw std::invalid_argument("resize_bilinear: target size must be positive");
  if (image.empty()) throw std::invalid_argument("resize_bilinear: empty image");
  // PIL skips a pass whose size does not change (the pass would be the identity).
  const RgbImage wide = width == image.width ? image : resize_horizontally(image, width);
  return height == wide.height ? wide : resize_vertically(wide, height);
}

std::vector<float> normalize_to_chw(const RgbImage& image, const ChannelNormalization& normalization) {
  const std::size_t plane = static_cast<std::size_t>(image.width) * image.height;
  std::vector<float> chw(plane * 3);
  for (int c = 0; c < 3; ++c) {
    const float mean = normalization.mean[static_cast<std::size_t>(c)];
    const float deviation = normalization.standard_deviation[static_cast<std::size_t>(c)];
    float* out = chw.data() + plane * static_cast<std::size_t>(c);
    // Divide rather than multiply by reciprocals: torchvision divides, and
    // this keeps the floats bit-identical to its output.
    for (std::size_t i = 0; i < plane; ++i) out[i] = (image.pixels[i * 3 + c] / 255.0f - mean) / deviation;
  }
  return chw;
}

std::vector<float> preprocess_image(const RgbImage& image, int size,
                                    const ChannelNormalization& normalization) {
  return normalize_to_chw(resize_bilinear(image, size, size), normalization);
}

}  // namespace popsweep::media
