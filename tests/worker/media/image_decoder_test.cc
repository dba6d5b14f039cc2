// M11 decoding: every accepted format and pixel layout comes out as 8-bit RGB,
// upright, the way PIL (and so a torchvision pipeline) sees it.
#include "worker/media/image_decoder.h"

#include <gtest/gtest.h>

#include <array>
#include <filesystem>
#include <map>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"
#include "tests/worker/media/media_test_support.h"
#include "worker/media/media_error.h"

namespace popsweep::media {
namespace {

using test_support::write_bytes;

std::vector<std::uint8_t> encode(const cv::Mat& image, const std::string& extension,
                                 const std::vector<int>& parameters = {}) {
  std::vector<std::uint8_t> bytes;
  EXPECT_TRUE(cv::imencode(extension, image, bytes, parameters));
  return bytes;
}

std::array<int, 3> rgb_at(const RgbImage& image, int x, int y) {
  const std::uint8_t* pixel = image.row(y) + x * 3;
  return {pixel[0], pixel[1], pixel[2]};
}

// A 4x2 image whose BGR pixels are all different, written in OpenCV's order.
cv::Mat small_bgr_pattern() {
  cv::Mat pattern(2, 4, CV_8UC3);
  for (int y = 0; y < 2; ++y) {
    for (int x = 0; x < 4; ++x) pattern.at<cv::Vec3b>(y, x) = cv::Vec3b(10 * x, 100 + 50 * y, 200 + 10 * x);
  }
  return pattern;
}

void expect_matches_bgr(const RgbImage& image, const cv::Mat& bgr) {
  ASSERT_EQ(image.width, bgr.cols);
  ASSERT_EQ(image.height, bgr.rows);
  for (int y = 0; y < bgr.rows; ++y) {
    for (int x = 0; x < bgr.cols; ++x) {
      const cv::Vec3b expected = bgr.at<cv::Vec3b>(y, x);
      EXPECT_EQ(rgb_at(image, x, y), (std::array<int, 3>{expected[2], expected[1], expected[0]}))
          << x << "," << y;
    }
  }
}

TEST(ImageDecoder, LosslessFormatsComeOutAsRgb) {
  const cv::Mat pattern = small_bgr_pattern();
  expect_matches_bgr(decode_image_bytes(encode(pattern, ".png"), "a.png"), pattern);
  expect_matches_bgr(decode_image_bytes(encode(pattern, ".bmp"), "a.bmp"), pattern);
  expect_matches_bgr(decode_image_bytes(encode(pattern, ".webp", {cv::IMWRITE_WEBP_QUALITY, 101}), "a.webp"),
                     pattern);
  const RgbImage jpeg =
      decode_image_bytes(encode(cv::Mat(16, 16, CV_8UC3, cv::Scalar(40, 120, 220)), ".jpg"), "a.jpg");
  const std::array<int, 3> center = rgb_at(jpeg, 8, 8);
  EXPECT_NEAR(center[0], 220, 3);
  EXPECT_NEAR(center[1], 120, 3);
  EXPECT_NEAR(center[2], 40, 3);
}

TEST(ImageDecoder, GreyBecomesThreeEqualChannels) {
  cv::Mat grey(3, 5, CV_8UC1);
  for (int i = 0; i < 15; ++i) grey.at<std::uint8_t>(i / 5, i % 5) = static_cast<std::uint8_t>(i * 17);
  const RgbImage image = decode_image_bytes(encode(grey, ".png"), "grey.png");
  ASSERT_EQ(image.width, 5);
  ASSERT_EQ(image.height, 3);
  for (int i = 0; i < 15; ++i)
    EXPECT_EQ(rgb_at(image, i % 5, i / 5), (std::array<int, 3>{i * 17, i * 17, i * 17}));
}

// Alpha is dropped, not composited: a fully transparent pixel keeps its colour.
TEST(ImageDecoder, AlphaIsDropped) {
  cv::Mat bgra(1, 2, CV_8UC4);
  bgra.at<cv::Vec4b>(0, 0) = cv::Vec4b(30, 60, 90, 0);
  bgra.at<cv::Vec4b>(0, 1) = cv::Vec4b(5, 6, 7, 255);
  const RgbImage image = decode_image_bytes(encode(bgra, ".png"), "alpha.png");
  EXPECT_EQ(rgb_at(image, 0, 0), (std::array<int, 3>{90, 60, 30}));
  EXPECT_EQ(rgb_at(image, 1, 0), (std::array<int, 3>{7, 6, 5}));
}

TEST(ImageDecoder, SixteenBitSamplesKeepTheirHighByte) {
  const cv::Mat colour(2, 2, CV_16UC3, cv::Scalar(0x1234, 0x80FF, 0xFFFF));
  EXPECT_EQ(rgb_at(decode_image_bytes(encode(colour, ".png"), "deep.png"), 1, 1),
            (std::array<int, 3>{0xFF, 0x80, 0x12}));
  const cv::Mat grey(2, 2, CV_16UC1, cv::Scalar(0xA0F0));
  EXPECT_EQ(rgb_at(decode_image_bytes(encode(grey, ".png"), "deep_grey.png"), 0, 0),
            (std::array<int, 3>{0xA0, 0xA0, 0xA0}));
}

TEST(ImageDecoder, ErrorsFromBytesNameTheGivenSource) {
  const std::vector<std::uint8_t> half_png = [] {
    std::vector<std::uint8_t> bytes = encode(small_bgr_pattern(), ".png");
    bytes.resize(bytes.size() / 2);
    return bytes;
  }();
  try {
    decode_image_bytes(half_png, "post 123 media 2");
    ADD_FAILURE() << "no MediaError";
  } catch (const MediaError& error) {
    EXPECT_EQ(error.file(), "post 123 media 2");
    EXPECT_EQ(std::string(error.what()), "post 123 media 2: truncated (no IEND chunk)");
  }
}

TEST(ImageDecoder, FileAndBytesAgree) {
  testing::TempDir directory;
  const std::vector<std::uint8_t> bytes = encode(small_bgr_pattern(), ".png");
  const std::string path = directory.file("pattern.png");
  write_bytes(path, bytes);
  EXPECT_EQ(decode_image_file(path).pixels, decode_image_bytes(bytes, "pattern.png").pixels);
}

// Data after the end-of-image marker (e.g. a motion photo's video) is allowed.
TEST(ImageDecoder, JpegWithTrailingDataDecodes) {
  std::vector<std::uint8_t> bytes = encode(cv::Mat(8, 8, CV_8UC3, cv::Scalar(1, 2, 3)), ".jpg");
  for (int i = 0; i < 100; ++i) bytes.push_back(static_cast<std::uint8_t>(i));
  EXPECT_EQ(decode_image_bytes(bytes, "motion.jpg").width, 8);
}

// Pixels as torchvision sees them: PIL's Image.open, ImageOps.exif_transpose,
// convert("RGB"). Writes <file>.pil.rgb beside each file.
std::map<std::string, RgbImage> pil_decodes(const testing::TempDir& directory,
                                            const std::vector<std::string>& paths) {
  std::string arguments;
  for (const std::string& path : paths) arguments += test_support::quoted(path) + " ";
  const std::string listing = test_support::run_python(directory, R"(
import sys
from PIL import Image, ImageOps
for path in sys.argv[1:]:
    with Image.open(path) as image:
        rgb = ImageOps.exif_transpose(image).convert("RGB")
    with open(path + ".pil.rgb", "wb") as out:
        out.write(rgb.tobytes())
    print(rgb.width, rgb.height, path)
)",
                                                       arguments);
  std::map<std::string, RgbImage> decodes;
  std::istringstream lines(listing);
  int width = 0;
  int height = 0;
  std::string path;
  while (lines >> width >> height && std::getline(lines >> std::ws, path)) {
    decodes[path] = test_support::read_raw_rgb(path + ".pil.rgb", width, height);
  }
  EXPECT_EQ(decodes.size(), paths.size()) << listing;
  return decodes;
}

void expect_same_as_pil(const std::vector<std::string>& paths, const testing::TempDir& directory) {
  for (const auto& [path, reference] : pil_decodes(directory, paths)) {
    const RgbImage image = decode_image_file(path);
    ASSERT_EQ(image.width, reference.width) << path;
    ASSERT_EQ(image.height, reference.height) << path;
    EXPECT_EQ(test_support::max_absolute_difference(image, reference), 0) << path;
  }
}

// Every mode PIL writes (grey, grey+alpha, palette with and without a
// transparent index, bilevel, RGBA) in every accepted format, plus OpenCV's
// 16-bit colour PNG, comes out as PIL's convert("RGB") gives it. (16-bit grey
// is the exception, on purpose: PIL clips it to 255, we keep the high byte.)
TEST(ImageDecoder, EveryModeMatchesPilConvertRgb) {
  testing::TempDir directory;
  cv::Mat deep(9, 13, CV_16UC3);
  cv::randu(deep, 0, 65535);
  ASSERT_TRUE(cv::imwrite(directory.file("deep.png"), deep));
  test_support::run_python(directory, R"(
import random, sys
from PIL import Image
folder = sys.argv[1]
generator = random.Random(5)
def noise(mode, bands, size=(23, 17)):
    data = bytes(generator.randrange(256) for _ in range(size[0] * size[1] * bands))
    return Image.frombytes(mode, size, data)
rgba = noise("RGBA", 4)
rgba.save(folder + "/rgba.png")
rgba.save(folder + "/rgba.webp", lossless=True)
noise("LA", 2).save(folder + "/grey_alpha.png")
grey = noise("L", 1)
for extension in ("png", "bmp", "jpg"):
    grey.save(folder + "/grey." + extension)
palette = noise("RGB", 3).quantize(colors=16)
palette.save(folder + "/palette.png")
palette.save(folder + "/palette.bmp")
palette.save(folder + "/palette_transparent.png", transparency=3)
noise("RGB", 3).convert("1").save(folder + "/bilevel.png")
colour = noise("RGB", 3, (64, 48))
colour.save(folder + "/colour.bmp")
colour.save(folder + "/colour.jpg", quality=90)
colour.save(folder + "/progressive.jpg", quality=80, progressive=True)
colour.save(folder + "/colour.webp", quality=80)
)",
                           test_support::quoted(directory.path()));
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(directory.path())) {
    if (entry.path().extension() != ".py") paths.push_back(entry.path().string());
  }
  EXPECT_EQ(paths.size(), 15u);
  expect_same_as_pil(paths, directory);
}

// All eight EXIF orientations, written by PIL, come out upright exactly as
// ImageOps.exif_transpose shows them.
TEST(ImageDecoder, ExifOrientationMatchesPil) {
  testing::TempDir directory;
  test_support::run_python(directory, R"(
import random, sys
from PIL import Image
generator = random.Random(8)
stored = Image.frombytes("RGB", (40, 24), bytes(generator.randrange(256) for _ in range(40 * 24 * 3)))
for orientation in range(1, 9):
    exif = Image.Exif()
    exif[0x0112] = orientation
    stored.save(sys.argv[1] + "/orientation%d.jpg" % orientation, quality=95, exif=exif.tobytes())
)",
                           test_support::quoted(directory.path()));
  std::vector<std::string> paths;
  for (int orientation = 1; orientation <= 8; ++orientation) {
    paths.push_back(directory.file("orientation" + std::to_string(orientation) + ".jpg"));
    const bool sideways = orientation >= 5;  // 5-8 swap width and height
    const RgbImage image = decode_image_file(paths.back());
    EXPECT_EQ(image.width, sideways ? 24 : 40) << orientation;
    EXPECT_EQ(image.height, sideways ? 40 : 24) << orientation;
  }
  expect_same_as_pil(paths, directory);
}

// The real photos in ../shared (JPEG and BMP) decode, pixel for pixel as PIL
// decodes them.
TEST(ImageDecoder, SharedPhotosDecodeAsPilDecodesThem) {
  const std::filesystem::path folder = std::filesystem::path(POPSWEEP_SHARED_DIR) / "models" / "coral";
  ASSERT_TRUE(std::filesystem::exists(folder)) << folder;
  testing::TempDir directory;
  std::vector<std::string> paths;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    const std::string extension = entry.path().extension().string();
    if (extension != ".jpg" && extension != ".bmp") continue;
    // PIL's reference goes beside the copy, never into ../shared.
    const std::string copy = directory.file(entry.path().filename().string());
    std::filesystem::copy_file(entry.path(), copy);
    paths.push_back(copy);
  }
  EXPECT_GE(paths.size(), 5u);
  expect_same_as_pil(paths, directory);
}

// libjpeg's scales: the smallest whose sides both stay at least the input
// side (scaled sides are rounded up), by hand.
TEST(ImageDecoder, JpegScaleIsTheSmallestKeepingBothSidesAtLeastTheInput) {
  EXPECT_EQ(jpeg_scale_denominator(1080, 1080, 224), 4);  // 270; 1/8 would give 135
  EXPECT_EQ(jpeg_scale_denominator(1080, 1350, 224), 4);
  EXPECT_EQ(jpeg_scale_denominator(1792, 1792, 224), 8);  // exactly 224
  EXPECT_EQ(jpeg_scale_denominator(447, 447, 224), 2);    // ceil(447 / 2) = 224
  EXPECT_EQ(jpeg_scale_denominator(446, 446, 224), 1);
  EXPECT_EQ(jpeg_scale_denominator(4000, 300, 224), 1);  // the short side decides
  EXPECT_EQ(jpeg_scale_denominator(160, 160, 224), 1);   // already smaller than the input
}

// Reduced decoding is libjpeg's own DCT scaling, pixel for pixel what PIL's
// Image.draft gives (the reduced decoding a Python pipeline can ask for), with
// the EXIF orientation applied after it; a PNG is decoded at full size.
TEST(ImageDecoder, ReducedJpegDecodeMatchesPilDraft) {
  testing::TempDir directory;
  const std::string listing = test_support::run_python(directory, R"(
import random, sys
from PIL import Image, ImageOps
folder = sys.argv[1]
generator = random.Random(11)
def picture(width, height):
    # smooth gradients plus noise: a photo-like mix of low and high frequencies
    data = bytearray()
    for y in range(height):
        for x in range(width):
            n = generator.randrange(32)
            data += bytes(((x * 255 // width + n) % 256, (y * 255 // height + n) % 256, (x + y + n) % 256))
    return Image.frombytes("RGB", (width, height), bytes(data))
picture(1080, 1080).save(folder + "/square.jpg", quality=90)
picture(1080, 1350).save(folder + "/portrait.jpg", quality=85)
exif = Image.Exif()
exif[0x0112] = 6
picture(900, 700).save(folder + "/rotated.jpg", quality=90, exif=exif.tobytes())
picture(500, 460).save(folder + "/lossless.png")
for name in ("square.jpg", "portrait.jpg", "rotated.jpg", "lossless.png"):
    with Image.open(folder + "/" + name) as image:
        image.draft("RGB", (224, 224))
        rgb = ImageOps.exif_transpose(image).convert("RGB")
    with open(folder + "/" + name + ".draft.rgb", "wb") as out:
        out.write(rgb.tobytes())
    print(rgb.width, rgb.height, name)
)",
                                                       test_support::quoted(directory.path()));
  std::istringstream lines(listing);
  int width = 0, height = 0, checked = 0;
  std::string name;
  const std::map<std::string, std::pair<int, int>> expected_sizes{
      {"square.jpg", {270, 270}}, {"portrait.jpg", {270, 338}}, {"rotated.jpg", {350, 450}}, {"lossless.png", {500, 460}}};
  while (lines >> width >> height >> name) {
    const RgbImage reference = test_support::read_raw_rgb(directory.file(name + ".draft.rgb"), width, height);
    const RgbImage reduced = decode_image_file_reduced(directory.file(name), 224);
    EXPECT_EQ(std::make_pair(reduced.width, reduced.height), expected_sizes.at(name)) << name;
    ASSERT_EQ(reduced.width, reference.width) << name;
    ASSERT_EQ(reduced.height, reference.height) << name;
    EXPECT_EQ(test_support::max_absolute_difference(reduced, reference), 0) << name;
    ++checked;
  }
  EXPECT_EQ(checked, 4) << listing;
}
}  // namespace
}  // namespace popsweep::media
