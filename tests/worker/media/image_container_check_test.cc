// Cut-off, empty and non-image files are refused with a MediaError naming the
// file and the reason, whatever the format.
#include "worker/media/image_container_check.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"
#include "tests/worker/media/media_test_support.h"
#include "worker/media/image_decoder.h"
#include "worker/media/media_error.h"

namespace popsweep::media {
namespace {

void expect_media_error(const std::string& path, const std::string& reason) {
  try {
    decode_image_file(path);
    ADD_FAILURE() << "no MediaError for " << path;
  } catch (const MediaError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find(reason), std::string::npos) << message;
  }
}

std::vector<std::uint8_t> noisy_image(const std::string& extension) {
  cv::Mat pixels(120, 160, CV_8UC3);
  cv::randu(pixels, 0, 255);
  std::vector<std::uint8_t> bytes;
  EXPECT_TRUE(cv::imencode(extension, pixels, bytes));
  return bytes;
}

class TruncatedImage : public ::testing::TestWithParam<std::string> {};

TEST_P(TruncatedImage, IsRefusedAtEveryCut) {
  testing::TempDir directory;
  const std::vector<std::uint8_t> whole = noisy_image(GetParam());
  const std::string complete = directory.file("whole" + GetParam());
  test_support::write_bytes(complete, whole);
  EXPECT_NO_THROW(decode_image_file(complete));
  for (double fraction : {0.99, 0.9, 0.5, 0.1}) {
    const std::string path =
        directory.file("cut" + std::to_string(static_cast<int>(fraction * 100)) + GetParam());
    test_support::write_bytes(
        path,
        std::vector<std::uint8_t>(whole.begin(), whole.begin() + static_cast<long>(whole.size() * fraction)));
    expect_media_error(path, "truncated");
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, TruncatedImage, ::testing::Values(".jpg", ".png", ".webp", ".bmp"),
                         [](const auto& info) { return info.param.substr(1); });

TEST(ImageMediaErrors, EmptyRandomUnsupportedAndMissingFiles) {
  testing::TempDir directory;
  expect_media_error(directory.write("empty.jpg", ""), "empty file");
  std::string noise;
  for (int i = 0; i < 4000; ++i) noise.push_back(static_cast<char>((i * 7919 + 13) % 251));
  expect_media_error(directory.write("noise.jpg", noise), "not a decodable image");
  expect_media_error(directory.write("notes.png", "hello\n"), "not a decodable image");
  expect_media_error(directory.write("vector.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>"),
                     "not a decodable image");
  expect_media_error(directory.file("missing.jpg"), "cannot open");
}

// Complete structure but garbage image data (the chunk CRCs no longer match):
// the decoder, not the container check, refuses it.
TEST(ImageMediaErrors, CorruptPngDataIsRefused) {
  testing::TempDir directory;
  std::vector<std::uint8_t> bytes = noisy_image(".png");
  const std::string chunk_type = "IDAT";
  const auto idat = std::search(bytes.begin(), bytes.end(), chunk_type.begin(), chunk_type.end());
  ASSERT_NE(idat, bytes.end());
  for (auto byte = idat + 10; byte < idat + 400; ++byte) *byte = static_cast<std::uint8_t>(*byte ^ 0x5A);
  const std::string path = directory.file("corrupt.png");
  test_support::write_bytes(path, bytes);
  expect_media_error(path, "not a decodable image");
}

TEST(ImageContainerCheck, SniffsTheFourFormats) {
  for (const auto& [extension, format] :
       std::vector<std::pair<std::string, ImageFormat>>{{".jpg", ImageFormat::kJpeg},
                                                        {".png", ImageFormat::kPng},
                                                        {".webp", ImageFormat::kWebp},
                                                        {".bmp", ImageFormat::kBmp}}) {
    const std::vector<std::uint8_t> bytes = noisy_image(extension);
    EXPECT_EQ(sniff_image_format(bytes.data(), bytes.size()), format) << extension;
    EXPECT_FALSE(find_truncation(format, bytes.data(), bytes.size()).has_value()) << extension;
  }
}

TEST(ImageContainerCheck, ReadsThePictureSizeFromEveryHeader) {
  for (const std::string extension : {".jpg", ".png", ".webp", ".bmp"}) {
    const std::vector<std::uint8_t> bytes = noisy_image(extension);
    const auto stated =
        read_image_size(sniff_image_format(bytes.data(), bytes.size()), bytes.data(), bytes.size());
    ASSERT_TRUE(stated.has_value()) << extension;
    EXPECT_EQ(stated->width, 160) << extension;
    EXPECT_EQ(stated->height, 120) << extension;
  }
  // Lossless WebP is VP8L, with its own header.
  std::vector<std::uint8_t> lossless;
  ASSERT_TRUE(cv::imencode(".webp", cv::Mat(7, 300, CV_8UC3, cv::Scalar(1, 2, 3)), lossless,
                           {cv::IMWRITE_WEBP_QUALITY, 101}));
  ASSERT_EQ(std::string(lossless.begin() + 12, lossless.begin() + 16), "VP8L");
  const auto stated = read_image_size(ImageFormat::kWebp, lossless.data(), lossless.size());
  ASSERT_TRUE(stated.has_value());
  EXPECT_EQ(stated->width, 300);
  EXPECT_EQ(stated->height, 7);
}

// Hostile input (issue 9): a few hundred bytes whose header claims
// 30000 x 30000 pixels made OpenCV allocate 2.7 GB before decoding anything.
// The size is now read from the header and refused first.
TEST(ImageMediaErrors, PictureLargerThanTheLimitIsRefusedBeforeDecoding) {
  testing::TempDir directory;
  const auto put_big_endian_16 = [](std::vector<std::uint8_t>& bytes, std::size_t at, unsigned value) {
    bytes[at] = static_cast<std::uint8_t>(value >> 8);
    bytes[at + 1] = static_cast<std::uint8_t>(value);
  };
  std::vector<std::uint8_t> png = noisy_image(".png");  // IHDR width and height at bytes 16 and 20
  for (std::size_t at : {16, 20}) put_big_endian_16(png, at + 2, 30000);
  test_support::write_bytes(directory.file("huge.png"), png);
  expect_media_error(directory.file("huge.png"), "30000 x 30000 pixels, more than the limit");

  // The largest sizes PNG can state: their product overflowed a 64-bit
  // integer (found by the image fuzz target).
  for (std::size_t at = 16; at < 24; ++at) png[at] = 0xFF;
  test_support::write_bytes(directory.file("largest.png"), png);
  expect_media_error(directory.file("largest.png"), "4294967295 x 4294967295 pixels, more than the limit");

  std::vector<std::uint8_t> jpeg = noisy_image(".jpg");
  const std::vector<std::uint8_t> start_of_frame = {0xFF, 0xC0};  // then length, precision, height, width
  const auto frame = static_cast<std::size_t>(
      std::search(jpeg.begin(), jpeg.end(), start_of_frame.begin(), start_of_frame.end()) - jpeg.begin());
  ASSERT_LT(frame + 9, jpeg.size());
  put_big_endian_16(jpeg, frame + 5, 20000);
  put_big_endian_16(jpeg, frame + 7, 16000);
  test_support::write_bytes(directory.file("huge.jpg"), jpeg);
  expect_media_error(directory.file("huge.jpg"), "16000 x 20000 pixels, more than the limit");
}

}  // namespace
}  // namespace popsweep::media
