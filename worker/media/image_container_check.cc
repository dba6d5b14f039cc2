#include "worker/media/image_container_check.h"

#include <cstring>

namespace popsweep::media {
namespace {

std::uint32_t read_big_endian_32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

std::uint32_t read_little_endian_32(const std::uint8_t* p) {
  return (std::uint32_t{p[3]} << 24) | (std::uint32_t{p[2]} << 16) | (std::uint32_t{p[1]} << 8) | p[0];
}

std::uint32_t read_little_endian_24(const std::uint8_t* p) {
  return (std::uint32_t{p[2]} << 16) | (std::uint32_t{p[1]} << 8) | p[0];
}

std::uint16_t read_big_endian_16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

std::uint16_t read_little_endian_16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((p[1] << 8) | p[0]);
}

bool starts_with(const std::uint8_t* data, std::size_t size, const char* magic, std::size_t offset = 0) {
  const std::size_t length = std::strlen(magic);
  return size >= offset + length && std::memcmp(data + offset, magic, length) == 0;
}

// Restart markers and byte stuffing (FF 00) belong to the entropy-coded data;
// any other marker ends it. Returns the offset of that marker's FF, or `size`.
std::size_t skip_entropy_coded_data(const std::uint8_t* data, std::size_t size, std::size_t pos) {
  while (pos + 1 < size) {
    // memchr, not a byte loop: the scan is most of a JPEG's bytes.
    const void* marker = std::memchr(data + pos, 0xFF, size - 1 - pos);
    if (marker == nullptr) return size;
    pos = static_cast<std::size_t>(static_cast<const std::uint8_t*>(marker) - data);
    const std::uint8_t next = data[pos + 1];
    const bool inside_scan = next == 0x00 || (next >= 0xD0 && next <= 0xD7) || next == 0xFF;
    if (!inside_scan) return pos;
    pos += next == 0xFF ? 1 : 2;
  }
  return size;
}

// Walks the marker segments (skipping each scan's data) until the end-of-image
// marker; trailing bytes after it (e.g. a motion photo's video) are fine.
std::optional<std::string> find_jpeg_truncation(const std::uint8_t* data, std::size_t size) {
  const std::string truncated = "truncated (no end-of-image marker)";
  std::size_t pos = 2;
  while (true) {
    while (pos < size && data[pos] != 0xFF) ++pos;  // libjpeg skips stray bytes too
    while (pos < size && data[pos] == 0xFF) ++pos;  // fill bytes
    if (pos >= size) return truncated;
    const std::uint8_t marker = data[pos++];
    if (marker == 0xD9) return std::nullopt;
    const bool standalone = marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7);
    if (standalone) continue;
    if (pos + 2 > size) return truncated;
    const std::size_t length = (std::size_t{data[pos]} << 8) | data[pos + 1];
    if (length < 2) return "corrupt JPEG (bad segment length)";
    pos += length;
    if (pos > size) return truncated;
    if (marker == 0xDA) pos = skip_entropy_coded_data(data, size, pos);
  }
}

// Chunks are length, type, data, CRC; a complete file ends with IEND.
std::optional<std::string> find_png_truncation(const std::uint8_t* data, std::size_t size) {
  std::size_t pos = 8;
  while (pos + 8 <= size) {
    const std::uint64_t chunk_end = std::uint64_t{pos} + 12 + read_big_endian_32(data + pos);
    if (chunk_end > size) break;
    if (std::memcmp(data + pos + 4, "IEND", 4) == 0) return std::nullopt;
    pos = static_cast<std::size_t>(chunk_end);
  }
  return "truncated (no IEND chunk)";
}

std::optional<std::string> find_webp_truncation(const std::uint8_t* data, std::size_t size) {
  const std::uint64_t riff_end = std::uint64_t{8} + read_little_endian_32(data + 4);
  if (riff_end > size) return "truncated (RIFF size exceeds the file)";
  return std::nullopt;
}

// Only uncompressed and bit-field bitmaps have a pixel-array size we can
// compute; RLE, the old OS/2 header and absurd dimensions are left to the
// decoder (which refuses what it cannot read).
std::optional<std::string> find_bmp_truncation(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t kFileHeader = 14;
  if (size < kFileHeader + 4) return "truncated (incomplete header)";
  if (read_little_endian_32(data + kFileHeader) < 40) return std::nullopt;
  if (size < kFileHeader + 40) return "truncated (incomplete header)";
  const std::uint32_t compression = read_little_endian_32(data + 30);
  if (compression != 0 && compression != 3) return std::nullopt;
  const std::int64_t width = static_cast<std::int32_t>(read_little_endian_32(data + 18));
  const std::int64_t height = static_cast<std::int32_t>(read_little_endian_32(data + 22));
  const std::int64_t bits_per_pixel = data[28] | (data[29] << 8);
  // Beyond these the products below could overflow; no real bitmap is that large.
  constexpr std::int64_t kLargestSide = 1 << 20;
  if (width <= 0 || width > kLargestSide || height == 0 || height > kLargestSide || height < -kLargestSide) {
    return std::nullopt;
  }
  const std::int64_t row_bytes = (width * bits_per_pixel + 31) / 32 * 4;
  const std::int64_t pixels_end =
      read_little_endian_32(data + 10) + row_bytes * (height < 0 ? -height : height);
  if (pixels_end > static_cast<std::int64_t>(size)) return "truncated (pixel data cut off)";
  return std::nullopt;
}

// Start-of-frame markers SOF0..SOF15, less DHT (C4), JPG (C8) and DAC (CC).
bool is_start_of_frame(std::uint8_t marker) {
  return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
}

// The marker walk of find_jpeg_truncation, stopping at the first frame header:
// length (2), precision (1), height (2), width (2).
std::optional<ImageSize> read_jpeg_size(const std::uint8_t* data, std::size_t size) {
  std::size_t pos = 2;
  while (true) {
    while (pos < size && data[pos] != 0xFF) ++pos;
    while (pos < size && data[pos] == 0xFF) ++pos;
    if (pos >= size) return std::nullopt;
    const std::uint8_t marker = data[pos++];
    if (marker == 0xD9 || marker == 0xDA) return std::nullopt;  // image or scan before any frame header
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;
    if (pos + 2 > size) return std::nullopt;
    const std::size_t length = read_big_endian_16(data + pos);
    if (is_start_of_frame(marker)) {
      if (length < 7 || pos + 7 > size) return std::nullopt;
      return ImageSize{read_big_endian_16(data + pos + 5), read_big_endian_16(data + pos + 3)};
    }
    if (length < 2) return std::nullopt;
    pos += length;
  }
}

// IHDR must be the first chunk: length, "IHDR", width, height (big-endian).
std::optional<ImageSize> read_png_size(const std::uint8_t* data, std::size_t size) {
  if (size < 24 || std::memcmp(data + 12, "IHDR", 4) != 0) return std::nullopt;
  return ImageSize{read_big_endian_32(data + 16), read_big_endian_32(data + 20)};
}

// As OpenCV's BMP decoder reads it: a 12-byte OS/2 header holds 16-bit sizes,
// one of 36 bytes or more 32-bit signed ones.
std::optional<ImageSize> read_bmp_size(const std::uint8_t* data, std::size_t size) {
  if (size < 26) return std::nullopt;
  const std::uint32_t header_size = read_little_endian_32(data + 14);
  if (header_size == 12) return ImageSize{read_little_endian_16(data + 18), read_little_endian_16(data + 20)};
  if (header_size < 36) return std::nullopt;
  const std::int64_t width = static_cast<std::int32_t>(read_little_endian_32(data + 18));
  const std::int64_t height = static_cast<std::int32_t>(read_little_endian_32(data + 22));
  if (width <= 0) return std::nullopt;
  return ImageSize{width, height < 0 ? -height : height};
}

// The first chunk after "RIFF<size>WEBP" (its data starts at byte 20): a VP8
// key frame's 14-bit sizes after its start code, VP8L's 14-bit sizes minus
// one, or VP8X's 24-bit canvas sizes minus one.
std::optional<ImageSize> read_webp_size(const std::uint8_t* data, std::size_t size) {
  if (size < 30) return std::nullopt;
  const std::uint8_t* chunk = data + 20;
  if (std::memcmp(data + 12, "VP8 ", 4) == 0 && chunk[3] == 0x9D && chunk[4] == 0x01 && chunk[5] == 0x2A) {
    return ImageSize{read_little_endian_16(chunk + 6) & 0x3FFF, read_little_endian_16(chunk + 8) & 0x3FFF};
  }
  if (std::memcmp(data + 12, "VP8L", 4) == 0 && chunk[0] == 0x2F) {
    const std::uint32_t bits = read_little_endian_32(chunk + 1);
    return ImageSize{(bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1};
  }
  if (std::memcmp(data + 12, "VP8X", 4) == 0) {
    return ImageSize{std::int64_t{read_little_endian_24(chunk + 4)} + 1,
                     std::int64_t{read_little_endian_24(chunk + 7)} + 1};
  }
  return std::nullopt;
}

}  // namespace

std::optional<ImageSize> read_image_size(ImageFormat format, const std::uint8_t* data, std::size_t size) {
  switch (format) {
    case ImageFormat::kJpeg:
      return read_jpeg_size(data, size);
    case ImageFormat::kPng:
      return read_png_size(data, size);
    case ImageFormat::kWebp:
      return read_webp_size(data, size);
    case ImageFormat::kBmp:
      return read_bmp_size(data, size);
    case ImageFormat::kUnknown:
      return std::nullopt;
  }
  return std::nullopt;
}

ImageFormat sniff_image_format(const std::uint8_t* data, std::size_t size) {
  if (size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return ImageFormat::kJpeg;
  if (starts_with(data, size, "\x89PNG\r\n\x1a\n")) return ImageFormat::kPng;
  if (starts_with(data, size, "RIFF") && starts_with(data, size, "WEBP", 8)) return ImageFormat::kWebp;
  if (starts_with(data, size, "BM")) return ImageFormat::kBmp;
  return ImageFormat::kUnknown;
}

std::optional<std::string> find_truncation(ImageFormat format, const std::uint8_t* data, std::size_t size) {
  switch (format) {
    case ImageFormat::kJpeg:
      return find_jpeg_truncation(data, size);
    case ImageFormat::kPng:
      return find_png_truncation(data, size);
    case ImageFormat::kWebp:
      return find_webp_truncation(data, size);
    case ImageFormat::kBmp:
      return find_bmp_truncation(data, size);
    case ImageFormat::kUnknown:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace popsweep::media
