// Format sniffing and a structural "is the whole file there?" check for the
// still-image formats we accept. OpenCV decodes a truncated JPEG without
// complaint, filling the missing part with grey, and the CNN features of such
// a picture are garbage; for PNG, WebP and BMP it fails but prints libpng or
// OpenCV noise on stderr. Checking the container first lets us refuse cut-off
// files with one clear reason and keep the decoder quiet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace popsweep::media {

enum class ImageFormat { kJpeg, kPng, kWebp, kBmp, kUnknown };

ImageFormat sniff_image_format(const std::uint8_t* data, std::size_t size);

// The picture's size as its header states it, before anything is decoded.
struct ImageSize {
  std::int64_t width = 0;
  std::int64_t height = 0;
};

// From JPEG's frame header (the first SOFn marker, the one libjpeg uses),
// PNG's IHDR, BMP's info header (height as a magnitude: negative means top
// down) and WebP's first chunk (VP8, VP8L or VP8X canvas). Nothing when the
// header holds no size where the format puts it, or for kUnknown.
std::optional<ImageSize> read_image_size(ImageFormat format, const std::uint8_t* data, std::size_t size);

// Why the file is incomplete ("truncated (no end-of-image marker)"), or
// nothing when its container structure runs to the end. kUnknown is never
// reported as truncated: the decoder decides.
std::optional<std::string> find_truncation(ImageFormat format, const std::uint8_t* data, std::size_t size);

}  // namespace popsweep::media
