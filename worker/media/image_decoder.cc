#include "worker/media/image_decoder.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "worker/media/image_container_check.h"
#include "worker/media/media_error.h"

namespace popsweep::media {
namespace {

// One read of the size the file states, not a byte-at-a-time iterator (which
// cost as much as a tenth of the decode of a 1080 px JPEG); streams that
// cannot tell their size (a pipe) are read the slow way.
std::vector<std::uint8_t> read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw MediaError(path, std::string("cannot open: ") + std::strerror(errno));
  const std::streamoff size = in.tellg();
  if (size < 0) {
    in.clear();
    in.seekg(0);
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw MediaError(path, "read failed");
    return bytes;
  }
  in.seekg(0);
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
  in.read(reinterpret_cast<char*>(bytes.data()), size);
  if (in.gcount() != size) throw MediaError(path, "read failed (the file changed while it was read)");
  return bytes;
}

// IMREAD_COLOR (unlike IMREAD_UNCHANGED) is what makes OpenCV apply the EXIF
// orientation, expand grey, drop alpha and reduce 16-bit samples to 8 bits.
cv::Mat decode_to_bgr(const std::uint8_t* data, std::size_t size, const std::string& name,
                      int flags = cv::IMREAD_COLOR) {
  // imdecode only reads the buffer; the Mat header needs a non-const pointer.
  const cv::Mat encoded(1, static_cast<int>(size), CV_8UC1, const_cast<std::uint8_t*>(data));
  try {
    return cv::imdecode(encoded, flags);
  } catch (const cv::Exception& error) {
    throw MediaError(name, "not a decodable image (" + error.msg + ")");
  }
}

RgbImage to_rgb_image(const cv::Mat& bgr) {
  RgbImage image(bgr.cols, bgr.rows);
  cv::Mat rgb(bgr.rows, bgr.cols, CV_8UC3, image.pixels.data());
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return image;
}

// The IMREAD_REDUCED_COLOR_* flag of a scale; like IMREAD_COLOR, each also
// applies the EXIF orientation.
int reduced_read_flag(int denominator) {
  switch (denominator) {
    case 2:
      return cv::IMREAD_REDUCED_COLOR_2;
    case 4:
      return cv::IMREAD_REDUCED_COLOR_4;
    case 8:
      return cv::IMREAD_REDUCED_COLOR_8;
    default:
      return cv::IMREAD_COLOR;
  }
}

// What every decode checks before OpenCV allocates: format, completeness,
// stated size within kMaxImagePixels. Returns the stated size.
ImageSize check_before_decoding(ImageFormat format, const std::uint8_t* data, std::size_t size,
                                const std::string& name) {
  if (size == 0) throw MediaError(name, "empty file");
  if (size > static_cast<std::size_t>(INT32_MAX)) throw MediaError(name, "file too large for an image");
  if (format == ImageFormat::kUnknown)
    throw MediaError(name, "not a decodable image (not JPEG, PNG, WebP or BMP)");
  if (const auto truncation = find_truncation(format, data, size)) throw MediaError(name, *truncation);
  const std::optional<ImageSize> stated = read_image_size(format, data, size);
  if (!stated) throw MediaError(name, "not a decodable image (its header states no picture size)");
  // Divided, not multiplied: PNG's sizes go up to 2^32 - 1 each.
  if (stated->height > 0 && stated->width > kMaxImagePixels / stated->height) {
    throw MediaError(name, std::to_string(stated->width) + " x " + std::to_string(stated->height) +
                               " pixels, more than the limit of " + std::to_string(kMaxImagePixels));
  }
  return *stated;
}

}  // namespace

int jpeg_scale_denominator(std::int64_t width, std::int64_t height, int min_side) {
  int chosen = 1;
  // libjpeg's scaled sides are ceil(side / denominator).
  for (const int denominator : {2, 4, 8}) {
    const auto scaled = [&](std::int64_t side) { return (side + denominator - 1) / denominator; };
    if (scaled(width) >= min_side && scaled(height) >= min_side) chosen = denominator;
  }
  return chosen;
}

namespace {

// Every decode's one path: the checks, then OpenCV at full size (min_side 0)
// or at the JPEG scale jpeg_scale_denominator picks.
RgbImage decode_checked(const std::uint8_t* data, std::size_t size, const std::string& name, int min_side) {
  const ImageFormat format = size == 0 ? ImageFormat::kUnknown : sniff_image_format(data, size);
  const ImageSize stated = check_before_decoding(format, data, size, name);
  const int denominator = min_side > 0 && format == ImageFormat::kJpeg
                              ? jpeg_scale_denominator(stated.width, stated.height, min_side)
                              : 1;
  const cv::Mat bgr = decode_to_bgr(data, size, name, reduced_read_flag(denominator));
  if (bgr.empty()) throw MediaError(name, "not a decodable image");
  return to_rgb_image(bgr);
}

}  // namespace

RgbImage decode_image_bytes(const std::uint8_t* data, std::size_t size, const std::string& name) {
  return decode_checked(data, size, name, 0);
}

RgbImage decode_image_bytes(const std::vector<std::uint8_t>& bytes, const std::string& name) {
  return decode_image_bytes(bytes.data(), bytes.size(), name);
}

RgbImage decode_image_file(const std::string& path) {
  const std::vector<std::uint8_t> bytes = read_whole_file(path);
  return decode_image_bytes(bytes, path);
}

RgbImage decode_image_file_reduced(const std::string& path, int min_side) {
  const std::vector<std::uint8_t> bytes = read_whole_file(path);
  return decode_checked(bytes.data(), bytes.size(), path, min_side);
}

}  // namespace popsweep::media
