#include "worker/synth/media_corruption.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "worker/synth/synth_random.h"

namespace popsweep::synth {
namespace {

void truncate_file(const std::string& path, double kept_fraction) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  if (error) throw Error("cannot read the size of " + path + ": " + error.message());
  const auto kept = static_cast<std::uintmax_t>(static_cast<double>(size) * std::clamp(kept_fraction, 0.0, 1.0));
  std::filesystem::resize_file(path, std::min<std::uintmax_t>(kept, size > 0 ? size - 1 : 0), error);
  if (error) throw Error("cannot truncate " + path + ": " + error.message());
}

void overwrite_with_noise(const std::string& path, std::uint64_t seed) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  if (error) throw Error("cannot read the size of " + path + ": " + error.message());
  SynthRandom random(seed);
  std::string noise(std::max<std::uintmax_t>(size, 64), '\0');
  for (char& byte : noise) byte = static_cast<char>(random.bits() & 0xff);
  // No known signature starts with a byte below 0x20 (JPEG: FF, PNG: 89, and
  // an MP4 box size's first byte is 0 but is followed by "ftyp").
  noise[0] = static_cast<char>(0x10 + (noise[0] & 0x0f));
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(noise.data(), static_cast<std::streamsize>(noise.size()));
  if (!out) throw Error("cannot write " + path);
}

}  // namespace

void spoil_file(const std::string& path, CorruptionKind kind, double kept_fraction, std::uint64_t seed) {
  switch (kind) {
    case CorruptionKind::None: return;
    case CorruptionKind::TruncatedJpeg:
    case CorruptionKind::TruncatedMp4: truncate_file(path, kept_fraction); return;
    case CorruptionKind::EmptyFile: truncate_file(path, 0); return;
    case CorruptionKind::RandomBytes: overwrite_with_noise(path, seed); return;
  }
}

}  // namespace popsweep::synth
