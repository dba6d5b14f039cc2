#include "worker/media/image_preprocess.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>

namespace popsweep::media {
namespace {

// PIL's fixed-point format for 8-bit resampling: weights carry 22 fractional
// bits, leaving room for 8-bit samples and a few bits of headroom in 32 bits.
constexpr int kPrecisionBits = 32 - 8 - 2;

// Every output pixel's filter in one flat table: output o blends the input
// pixels [first[o], first[o] + count[o]) with weights[o * stride + k]. Flat,
// so the inner loops read consecutive memory and carry no per-pixel vector.
struct FilterBank {
  std::vector<int> first;
  std::vector<int> count;
  std::size_t stride = 0;
  std::vector<std::int32_t> weights;
  const std::int32_t* weights_of(std::size_t out) const { return weights.data() + out * stride; }
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
FilterBank bilinear_filters(int input_size, int output_size) {
  const double scale = static_cast<double>(input_size) / output_size;
  const double filter_scale = std::max(scale, 1.0);
  const double support = 1.0 * filter_scale;  // the triangle spans +-1 input pixel, widened when shrinking
  const double inverse_filter_scale = 1.0 / filter_scale;
  FilterBank bank;
  bank.stride = static_cast<std::size_t>(std::ceil(support)) * 2 + 1;
  bank.first.resize(static_cast<std::size_t>(output_size));
  bank.count.resize(static_cast<std::size_t>(output_size));
  bank.weights.assign(bank.stride * static_cast<std::size_t>(output_size), 0);
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
    const auto o = static_cast<std::size_t>(out);
    bank.first[o] = first;
    bank.count[o] = static_cast<int>(weights.size());
    for (std::size_t k = 0; k < weights.size(); ++k)
      bank.weights[o * bank.stride + k] = to_fixed_point(total != 0.0 ? weights[k] / total : weights[k]);
  }
  return bank;
}

// 32-bit sums, as PIL's: the weights are non-negative and add up to about
// 2^22, so 255 times their sum plus the rounding half stays below 2^31.
constexpr std::int32_t kRoundingHalf = std::int32_t{1} << (kPrecisionBits - 1);

std::uint8_t to_sample(std::int32_t sum) {
  return static_cast<std::uint8_t>(std::clamp<std::int32_t>(sum >> kPrecisionBits, 0, 255));
}

RgbImage resize_horizontally(const RgbImage& image, int width) {
  const FilterBank bank = bilinear_filters(image.width, width);
  RgbImage resized(width, image.height);
  for (int y = 0; y < image.height; ++y) {
    const std::uint8_t* in = image.row(y);
    std::uint8_t* out = resized.row(y);
    for (std::size_t x = 0; x < static_cast<std::size_t>(width); ++x) {
      const std::int32_t* weight = bank.weights_of(x);
      const std::uint8_t* pixel = in + static_cast<std::size_t>(bank.first[x]) * 3;
      std::int32_t red = kRoundingHalf, green = kRoundingHalf, blue = kRoundingHalf;
      for (int k = 0; k < bank.count[x]; ++k, pixel += 3) {
        red += pixel[0] * weight[k];
        green += pixel[1] * weight[k];
        blue += pixel[2] * weight[k];
      }
      out[x * 3] = to_sample(red);
      out[x * 3 + 1] = to_sample(green);
      out[x * 3 + 2] = to_sample(blue);
    }
  }
  return resized;
}

// Row at a time: each input row is scaled and added to a row of sums, a loop
// the compiler vectorises.
RgbImage resize_vertically(const RgbImage& image, int height) {
  const FilterBank bank = bilinear_filters(image.height, height);
  const std::size_t row_bytes = static_cast<std::size_t>(image.width) * 3;
  RgbImage resized(image.width, height);
  std::vector<std::int32_t> sums(row_bytes);
  for (std::size_t y = 0; y < static_cast<std::size_t>(height); ++y) {
    std::fill(sums.begin(), sums.end(), kRoundingHalf);
    const std::int32_t* weight = bank.weights_of(y);
    for (int k = 0; k < bank.count[y]; ++k) {
      const std::uint8_t* in = image.row(bank.first[y] + k);
      const std::int32_t w = weight[k];
      for (std::size_t i = 0; i < row_bytes; ++i) sums[i] += in[i] * w;
    }
    std::uint8_t* out = resized.row(static_cast<int>(y));
    for (std::size_t i = 0; i < row_bytes; ++i) out[i] = to_sample(sums[i]);
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
