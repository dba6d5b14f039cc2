// The pixel type every decoder in this folder returns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace popsweep::media {

// 8-bit RGB, rows top to bottom, channels interleaved (HWC), no row padding:
// pixel (x, y) channel c is pixels[(y * width + x) * 3 + c].
struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> pixels;

  RgbImage() = default;
  RgbImage(int width_, int height_)
      : width(width_), height(height_), pixels(static_cast<std::size_t>(width_) * height_ * 3) {}

  std::uint8_t* row(int y) { return pixels.data() + static_cast<std::size_t>(y) * width * 3; }
  const std::uint8_t* row(int y) const { return pixels.data() + static_cast<std::size_t>(y) * width * 3; }
  bool empty() const { return pixels.empty(); }
};

}  // namespace popsweep::media
