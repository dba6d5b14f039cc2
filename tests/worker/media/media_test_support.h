// Helpers shared by the media tests: files exchanged with the reference tools
// (PIL and torchvision through Debian's Python, the ffmpeg command line) and
// pixel comparisons. Header-only because tests/CMakeLists.txt compiles only
// *_test.cc files here.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"
#include "worker/media/rgb_image.h"

namespace popsweep::media::test_support {

inline std::vector<std::uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<std::uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline void write_bytes(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// Single-quoted for sh, so any path survives.
inline std::string quoted(const std::string& text) {
  std::string result = "'";
  for (char c : text) result += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return result + "'";
}

// Runs a shell command; a failure fails the calling test with its output.
inline std::string run_or_fail(const std::string& command) {
  std::string output;
  const int status = popsweep::testing::run_command(command, &output);
  EXPECT_EQ(status, 0) << command << "\n" << output;
  return output;
}

inline void run_ffmpeg(const std::string& arguments) {
  run_or_fail("ffmpeg -nostdin -v error -y " + arguments);
}

inline std::string run_ffprobe(const std::string& arguments) {
  return run_or_fail("ffprobe -v error " + arguments);
}

// Runs a script with Debian's Python (PIL, numpy, torchvision; see
// tests/CMakeLists.txt); returns what it printed.
inline std::string run_python(const popsweep::testing::TempDir& directory, const std::string& script,
                              const std::string& arguments = "") {
  const std::string path = directory.write("reference.py", script);
  return run_or_fail("/usr/bin/python3 " + quoted(path) + " " + arguments);
}

// Raw RGB24, as PIL's tobytes() and `ffmpeg -f rawvideo -pix_fmt rgb24` write it.
inline RgbImage read_raw_rgb(const std::string& path, int width, int height) {
  RgbImage image(width, height);
  const std::vector<std::uint8_t> bytes = read_bytes(path);
  EXPECT_EQ(bytes.size(), image.pixels.size()) << path;
  if (bytes.size() == image.pixels.size()) image.pixels = bytes;
  return image;
}

inline void write_raw_rgb(const std::string& path, const RgbImage& image) { write_bytes(path, image.pixels); }

// What the ffmpeg command shows at `seconds`: it decodes from the start and
// keeps the first frame whose time is >= `seconds` (output-side -ss), then
// autorotates.
inline RgbImage ffmpeg_frame_at(const std::string& video, double seconds, int width, int height,
                                const std::string& scratch_file) {
  char time[32];
  std::snprintf(time, sizeof(time), "%.6f", seconds);
  run_ffmpeg("-i " + quoted(video) + " -ss " + time +
             " -frames:v 1 -fps_mode passthrough -f rawvideo -pix_fmt rgb24 " + quoted(scratch_file));
  return read_raw_rgb(scratch_file, width, height);
}

// Peak signal-to-noise ratio in dB over all channels; infinity when equal,
// 0 when the sizes differ.
inline double psnr(const RgbImage& a, const RgbImage& b) {
  if (a.width != b.width || a.height != b.height || a.pixels.size() != b.pixels.size() || a.empty())
    return 0.0;
  double squared_error = 0.0;
  for (std::size_t i = 0; i < a.pixels.size(); ++i) {
    const double difference = static_cast<double>(a.pixels[i]) - static_cast<double>(b.pixels[i]);
    squared_error += difference * difference;
  }
  if (squared_error == 0.0) return std::numeric_limits<double>::infinity();
  const double mean = squared_error / static_cast<double>(a.pixels.size());
  return 10.0 * std::log10(255.0 * 255.0 / mean);
}

inline int max_absolute_difference(const RgbImage& a, const RgbImage& b) {
  if (a.pixels.size() != b.pixels.size()) return 256;
  int largest = 0;
  for (std::size_t i = 0; i < a.pixels.size(); ++i) {
    largest = std::max(largest, std::abs(int{a.pixels[i]} - int{b.pixels[i]}));
  }
  return largest;
}

}  // namespace popsweep::media::test_support
