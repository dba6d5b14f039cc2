// Bounds-checked reading of a FlatBuffers binary (the encoding of a .tflite
// file), written from the format's description, not generated code:
//   - the file starts with a u32 offset to the root table;
//   - a table starts with an i32 whose subtraction from the table's position
//     gives its vtable: u16 vtable size, u16 table size, then one u16 per
//     field, the field's offset inside the table (0: absent, default used);
//   - a field holding a table, vector or string holds a u32 offset relative to
//     the field's own position; a vector is a u32 count then its elements (a
//     vector of tables holds one such offset per element); a string is a
//     vector of bytes;
//   - everything is little-endian and may be unaligned here (read by memcpy).
// Every position, size and count is checked against the buffer before use, so
// a truncated or hostile file ends in an InputError naming the file, the
// table and field being read, and the byte position, never a wild read.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace popsweep::nets {

// A span of bytes inside the buffer: where a vector's elements lie.
struct ByteSpan {
  std::size_t offset = 0;
  std::size_t size = 0;
};

class FlatbufferTable;

class FlatbufferBuffer {
 public:
  // The bytes must outlive this object and every table read from it.
  // `source` names the file in errors.
  FlatbufferBuffer(const std::uint8_t* data, std::size_t size, std::string source);

  // The root table; `what` names it in errors ("model").
  FlatbufferTable root(const std::string& what) const;
  // The 4 bytes after the root offset (the file identifier, "TFL3" for TFLite),
  // or "" when the buffer is too short to hold them.
  std::string file_identifier() const;

  const std::uint8_t* data() const { return data_; }
  std::size_t size() const { return size_; }
  const std::string& source() const { return source_; }

  // Throws InputError "<source>: field '<what>': at byte <position>: <message>".
  [[noreturn]] void fail(const std::string& what, std::size_t position, const std::string& message) const;
  // Throws unless [position, position + count) lies inside the buffer.
  void require(const std::string& what, std::size_t position, std::size_t count) const;
  std::uint16_t u16_at(const std::string& what, std::size_t position) const;
  std::uint32_t u32_at(const std::string& what, std::size_t position) const;
  // The target of the u32 offset stored at `position`.
  std::size_t follow_offset(const std::string& what, std::size_t position) const;

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::string source_;
};

// One table; fields are addressed by their index in the schema (0-based).
// `field_name`s only serve error messages.
class FlatbufferTable {
 public:
  FlatbufferTable(const FlatbufferBuffer& buffer, std::size_t position, std::string what);

  bool has(int field) const { return field_position(field, 0, "").has_value(); }

  std::uint8_t u8(int field, const char* field_name, std::uint8_t fallback = 0) const;
  std::int32_t i32(int field, const char* field_name, std::int32_t fallback = 0) const;
  std::uint32_t u32(int field, const char* field_name, std::uint32_t fallback = 0) const;
  std::uint64_t u64(int field, const char* field_name, std::uint64_t fallback = 0) const;

  // Sub-tables and vectors: nullopt / empty when the field is absent.
  std::optional<FlatbufferTable> table(int field, const char* field_name) const;
  std::vector<FlatbufferTable> tables(int field, const char* field_name) const;
  std::vector<std::int32_t> i32s(int field, const char* field_name) const;
  std::vector<std::int64_t> i64s(int field, const char* field_name) const;
  std::vector<float> f32s(int field, const char* field_name) const;
  std::string string(int field, const char* field_name) const;
  // A vector of bytes, left in place.
  ByteSpan bytes(int field, const char* field_name) const;

  const std::string& what() const { return what_; }
  std::size_t position() const { return position_; }

 private:
  // Where the field's `width` bytes lie, checked; nullopt when absent.
  std::optional<std::size_t> field_position(int field, std::size_t width, const char* field_name) const;
  // The span of a vector field's elements of `element_size` bytes each.
  std::optional<ByteSpan> vector_span(int field, std::size_t element_size, const char* field_name) const;
  std::string describe(const char* field_name) const;

  const FlatbufferBuffer* buffer_;
  std::size_t position_;
  std::size_t vtable_;
  std::uint16_t vtable_size_;
  std::uint16_t table_size_;
  std::string what_;
};

}  // namespace popsweep::nets
