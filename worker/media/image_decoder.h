// Still images (JPEG, PNG, WebP, BMP) to 8-bit RGB through OpenCV.
//
// Whatever the file holds becomes RgbImage: grey is replicated to three
// channels; an alpha channel is dropped, not composited (transparent pixels
// keep whatever colour they store), which is what PIL's convert("RGB") does and
// so what a torchvision pipeline sees; 16-bit samples keep their high byte
// (as PIL does for colour; for 16-bit grey PIL clips to 255, which turns most
// pictures white, so there we deliberately differ); the JPEG EXIF orientation
// tag is applied, so the picture is upright. Tests check all of this pixel
// for pixel against PIL's Image.open + exif_transpose + convert("RGB").
// A file that is empty, cut off, larger than kMaxImagePixels, or not an image
// we can decode throws MediaError naming the file and the reason.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "worker/media/rgb_image.h"

namespace popsweep::media {

// OpenCV allocates the whole picture before it decodes a pixel, and a
// 100-byte PNG may claim 30000 x 30000, so a picture whose header states more
// pixels than this (8192 x 8192; a 50-megapixel camera photo fits) is refused
// before decoding.
constexpr std::int64_t kMaxImagePixels = std::int64_t{1} << 26;

RgbImage decode_image_file(const std::string& path);

// The same picture decoded at a reduced scale where JPEG allows it: libjpeg's
// DCT scaling to 1/2, 1/4 or 1/8, the smallest whose sides both stay at least
// `min_side` pixels, so a later resize to min_side x min_side still shrinks.
// It skips most of the inverse DCT and the colour conversion of pixels the
// resize would average away. Other formats, and JPEGs too small to reduce,
// decode at full size. The pixels differ from a full decode then resize
// (libjpeg's scaled IDCT is its own filter): features.jpeg_dct_scaling says
// when this is used, and docs/BENCHMARKS.md how far the features move.
RgbImage decode_image_file_reduced(const std::string& path, int min_side);
// 1, 2, 4 or 8: the divisor decode_image_file_reduced uses for a picture of
// width x height.
int jpeg_scale_denominator(std::int64_t width, std::int64_t height, int min_side);

// `name` is only used in error messages (a path, a URL, "post 123 media 2").
RgbImage decode_image_bytes(const std::uint8_t* data, std::size_t size, const std::string& name);
RgbImage decode_image_bytes(const std::vector<std::uint8_t>& bytes, const std::string& name);

}  // namespace popsweep::media
