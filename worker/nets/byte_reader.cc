#include "worker/nets/byte_reader.h"

#include "common/error.h"

namespace popsweep::nets {

ByteReader::ByteReader(const std::uint8_t* data, std::size_t size, std::string source)
    : data_(data), size_(size), source_(std::move(source)) {}

void ByteReader::seek(std::size_t position) {
  if (position > size_)
    fail("offset " + std::to_string(position) + " lies past the end (" + std::to_string(size_) + " bytes)");
  position_ = position;
}

void ByteReader::require(std::size_t count) const {
  if (count > size_ - position_) {
    fail("needs " + std::to_string(count) + " more bytes but only " + std::to_string(size_ - position_) +
         " remain (truncated?)");
  }
}

std::uint8_t ByteReader::u8() {
  require(1);
  return data_[position_++];
}

std::uint16_t ByteReader::u16() {
  require(2);
  const std::uint8_t* p = data_ + position_;
  position_ += 2;
  return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}

std::uint32_t ByteReader::u32() {
  require(4);
  const std::uint8_t* p = data_ + position_;
  position_ += 4;
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

std::uint64_t ByteReader::u64() {
  const std::uint64_t low = u32();
  const std::uint64_t high = u32();
  return low | (high << 32);
}

const std::uint8_t* ByteReader::bytes(std::size_t count) {
  require(count);
  const std::uint8_t* start = data_ + position_;
  position_ += count;
  return start;
}

std::string ByteReader::string(std::size_t count) {
  const std::uint8_t* start = bytes(count);
  return std::string(reinterpret_cast<const char*>(start), count);
}

std::string quote_for_message(const std::string& text) {
  constexpr std::size_t kMaxShown = 120;
  std::string quoted = "'";
  for (std::size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      quoted += static_cast<char>(c);
    } else {
      static const char kHex[] = "0123456789abcdef";
      quoted += "\\x";
      quoted += kHex[c >> 4];
      quoted += kHex[c & 0xF];
    }
  }
  if (text.size() > kMaxShown) quoted += "...";
  return quoted + "'";
}

void ByteReader::fail(const std::string& message) const {
  throw InputError(source_, 0, "", "at byte " + std::to_string(position_) + ": " + message);
}

}  // namespace popsweep::nets
