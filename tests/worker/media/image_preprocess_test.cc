// M11 preparation: PIL-compatible resize and torchvision-compatible
// normalisation, checked against PIL and torchvision themselves.
#include "worker/media/image_preprocess.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"
#include "tests/worker/media/media_test_support.h"
#include "worker/media/image_decoder.h"

namespace popsweep::media {
namespace {

RgbImage random_image(int width, int height, int seed) {
  RgbImage image(width, height);
  cv::Mat pixels(height, width, CV_8UC3, image.pixels.data());
  cv::RNG generator(static_cast<std::uint64_t>(seed));
  generator.fill(pixels, cv::RNG::UNIFORM, 0, 256);
  cv::GaussianBlur(pixels, pixels, cv::Size(0, 0), 1.5);  // some structure, so filters matter
  return image;
}

TEST(ImagePreprocess, SameSizeIsTheIdentity) {
  const RgbImage image = random_image(31, 17, 1);
  EXPECT_EQ(resize_bilinear(image, 31, 17).pixels, image.pixels);
}

TEST(ImagePreprocess, FlatColourStaysFlatWhenShrinkingAndGrowing) {
  RgbImage flat(300, 200);
  for (std::size_t i = 0; i < flat.pixels.size(); ++i)
    flat.pixels[i] = static_cast<std::uint8_t>(50 + 60 * (i % 3));
  for (const auto& size : {std::pair{224, 224}, std::pair{1000, 7}}) {
    const RgbImage resized = resize_bilinear(flat, size.first, size.second);
    ASSERT_EQ(resized.width, size.first);
    ASSERT_EQ(resized.height, size.second);
    for (std::size_t i = 0; i < resized.pixels.size(); ++i) ASSERT_EQ(resized.pixels[i], 50 + 60 * (i % 3));
  }
}

TEST(ImagePreprocess, M11NormalisesIntoChannelPlanes) {
  RgbImage image(2, 1);
  image.pixels = {0, 128, 255, 255, 0, 128};
  const std::vector<float> chw = normalize_to_chw(image, kImageNetNormalization);
  ASSERT_EQ(chw.size(), 6u);
  EXPECT_FLOAT_EQ(chw[0], (0.0f - 0.485f) / 0.229f);          // R of pixel 0
  EXPECT_FLOAT_EQ(chw[1], (1.0f - 0.485f) / 0.229f);          // R of pixel 1
  EXPECT_FLOAT_EQ(chw[2], (128 / 255.0f - 0.456f) / 0.224f);  // G of pixel 0
  EXPECT_FLOAT_EQ(chw[5], (128 / 255.0f - 0.406f) / 0.225f);  // B of pixel 1
  EXPECT_EQ(preprocess_image(random_image(50, 40, 2)).size(), 3u * 224 * 224);
}

struct ResizeCase {
  std::string name;
  RgbImage image;
  int target_width;
  int target_height;
};

// Shrinking (down to the antialiasing widths of a 12 MP photo), enlarging,
// one axis only, the identity, and non-square targets; random pixels and the
// real photos in ../shared.
std::vector<ResizeCase> resize_cases() {
  std::vector<ResizeCase> cases;
  const struct {
    int width, height, target_width, target_height;
  } sizes[] = {{640, 480, 224, 224}, {333, 517, 224, 224},   {100, 60, 224, 224},
               {224, 224, 224, 224}, {1080, 1350, 224, 224}, {300, 200, 97, 301},
               {224, 90, 224, 224},  {4032, 3024, 224, 224}, {7, 1000, 224, 224}};
  int seed = 10;
  for (const auto& size : sizes) {
    cases.push_back({"random" + std::to_string(++seed), random_image(size.width, size.height, seed),
                     size.target_width, size.target_height});
  }
  const std::filesystem::path photos = std::filesystem::path(POPSWEEP_SHARED_DIR) / "models" / "coral";
  for (const char* photo : {"grace_hopper.bmp", "parrot.jpg", "kite_and_cold.jpg"}) {
    cases.push_back({photo, decode_image_file((photos / photo).string()), 224, 224});
  }
  return cases;
}

// Writes each case's input as raw RGB and runs `script` on
// "<raw file> <width> <height> <target width> <target height>" per case;
// the script writes <raw file>.out.
void run_reference(const testing::TempDir& directory, const std::vector<ResizeCase>& cases,
                   const std::string& script) {
  std::string arguments;
  for (const ResizeCase& one : cases) {
    const std::string input = directory.file(one.name + ".rgb");
    test_support::write_raw_rgb(input, one.image);
    arguments += test_support::quoted(input) + " " + std::to_string(one.image.width) + " " +
                 std::to_string(one.image.height) + " " + std::to_string(one.target_width) + " " +
                 std::to_string(one.target_height) + " ";
  }
  test_support::run_python(directory, script, arguments);
}

// PIL's Image.resize(BILINEAR) is what torchvision's Resize((224, 224)) runs on
// PIL images; the resize must reproduce it byte for byte.
TEST(ImagePreprocess, M11ResizeMatchesPilExactly) {
  testing::TempDir directory;
  const std::vector<ResizeCase> cases = resize_cases();
  run_reference(directory, cases, R"(
import sys
from PIL import Image
arguments = sys.argv[1:]
for i in range(0, len(arguments), 5):
    path, width, height, target_width, target_height = arguments[i], *map(int, arguments[i + 1:i + 5])
    image = Image.frombytes("RGB", (width, height), open(path, "rb").read())
    open(path + ".out", "wb").write(image.resize((target_width, target_height), Image.BILINEAR).tobytes())
)");
  for (const ResizeCase& one : cases) {
    const RgbImage resized = resize_bilinear(one.image, one.target_width, one.target_height);
    const RgbImage pil = test_support::read_raw_rgb(directory.file(one.name + ".rgb.out"), one.target_width,
                                                    one.target_height);
    EXPECT_EQ(resized.pixels, pil.pixels) << one.name << " " << one.image.width << "x" << one.image.height
                                          << " -> " << one.target_width << "x" << one.target_height;
  }
}

// M11 end to end: the float input equals torchvision's
// Compose([Resize((224, 224)), ToTensor(), Normalize(ImageNet)]) bit for bit.
TEST(ImagePreprocess, M11MatchesTorchvisionTransformsExactly) {
  testing::TempDir directory;
  std::vector<ResizeCase> cases = resize_cases();
  // Square targets only; the 12 MP case adds time, not coverage, here.
  cases.erase(std::remove_if(cases.begin(), cases.end(),
                             [](const ResizeCase& one) {
                               return one.target_width != one.target_height || one.image.width > 2000;
                             }),
              cases.end());
  run_reference(directory, cases, R"(
import sys
from PIL import Image
from torchvision import transforms
prepare = transforms.Compose([transforms.Resize((224, 224)), transforms.ToTensor(),
                              transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
arguments = sys.argv[1:]
for i in range(0, len(arguments), 5):
    path, width, height = arguments[i], int(arguments[i + 1]), int(arguments[i + 2])
    image = Image.frombytes("RGB", (width, height), open(path, "rb").read())
    open(path + ".out", "wb").write(prepare(image).numpy().astype("<f4").tobytes())
)");
  for (const ResizeCase& one : cases) {
    const std::vector<float> ours = preprocess_image(one.image);
    const std::vector<std::uint8_t> bytes = test_support::read_bytes(directory.file(one.name + ".rgb.out"));
    ASSERT_EQ(bytes.size(), ours.size() * sizeof(float)) << one.name;
    std::vector<float> reference(ours.size());
    std::memcpy(reference.data(), bytes.data(), bytes.size());
    std::size_t differing = 0;
    for (std::size_t i = 0; i < ours.size(); ++i) differing += ours[i] != reference[i];
    EXPECT_EQ(differing, 0u) << one.name;
  }
}

TEST(ImagePreprocess, RejectsEmptyImagesAndSizes) {
  EXPECT_THROW(resize_bilinear(RgbImage(), 224, 224), std::invalid_argument);
  EXPECT_THROW(resize_bilinear(random_image(4, 4, 1), 0, 224), std::invalid_argument);
}

}  // namespace
}  // namespace popsweep::media
