// SHA-256 (FIPS 180-4). popsweep names content by its hash: media files,
// weight files (torchvision puts the first hex digits of the SHA-256 in the
// file name), spec sections that decide whether a stage must run again.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace popsweep {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, size_t size);
  void update(const std::string& text) { update(text.data(), text.size()); }
  // Finishes the hash; the object must not be updated afterwards.
  std::array<std::uint8_t, 32> digest();
  std::string hex_digest();

 private:
  void compress(const std::uint8_t* block);

  std::array<std::uint32_t, 8> state_;
  std::array<std::uint8_t, 64> buffer_;
  size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
};

std::string sha256_hex(const std::string& data);
// Streams the file; throws InputError when it cannot be read.
std::string sha256_file_hex(const std::string& path);

}  // namespace popsweep
