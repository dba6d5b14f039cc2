// Bounds-checked little-endian reads from a byte buffer: every parser of an
// untrusted weight file reads through this, so a truncated or hostile file
// ends in an InputError naming the file and offset, never a read past the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace popsweep::nets {

class ByteReader {
 public:
  // `source` names the file (or archive entry) in error messages.
  ByteReader(const std::uint8_t* data, std::size_t size, std::string source);

  std::size_t position() const { return position_; }
  std::size_t remaining() const { return size_ - position_; }
  bool at_end() const { return position_ == size_; }
  void seek(std::size_t position);

  std::uint8_t u8();
  std::uint16_t u16();
  std::uint32_t u32();
  std::uint64_t u64();
  std::int32_t i32() { return static_cast<std::int32_t>(u32()); }
  // Returns a pointer to the next `count` bytes and moves past them.
  const std::uint8_t* bytes(std::size_t count);
  std::string string(std::size_t count);

  // Throws InputError: "<source>: at byte <position>: <message>".
  [[noreturn]] void fail(const std::string& message) const;

 private:
  void require(std::size_t count) const;

  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t position_ = 0;
  std::string source_;
};

// `text` in single quotes, non-printable bytes escaped and long text cut, so a
// hostile name cannot garble an error message.
std::string quote_for_message(const std::string& text);

}  // namespace popsweep::nets
