#include "worker/nets/tflite_flatbuffer.h"

#include <cstring>

#include "common/error.h"

namespace popsweep::nets {
namespace {

template <typename T>
T load(const std::uint8_t* data) {
  T value;
  std::memcpy(&value, data, sizeof(T));  // little-endian hosts only, as everywhere in popsweep
  return value;
}

}  // namespace

FlatbufferBuffer::FlatbufferBuffer(const std::uint8_t* data, std::size_t size, std::string source)
    : data_(data), size_(size), source_(std::move(source)) {}

void FlatbufferBuffer::fail(const std::string& what, std::size_t position, const std::string& message) const {
  throw InputError(source_, 0, what, "at byte " + std::to_string(position) + ": " + message);
}

void FlatbufferBuffer::require(const std::string& what, std::size_t position, std::size_t count) const {
  if (position > size_ || count > size_ - position) {
    fail(what, position,
         "needs " + std::to_string(count) + " bytes but the file ends at byte " + std::to_string(size_) +
             " (truncated or corrupt)");
  }
}

std::uint16_t FlatbufferBuffer::u16_at(const std::string& what, std::size_t position) const {
  require(what, position, 2);
  return load<std::uint16_t>(data_ + position);
}

std::uint32_t FlatbufferBuffer::u32_at(const std::string& what, std::size_t position) const {
  require(what, position, 4);
  return load<std::uint32_t>(data_ + position);
}

std::size_t FlatbufferBuffer::follow_offset(const std::string& what, std::size_t position) const {
  const std::uint32_t offset = u32_at(what, position);
  if (offset == 0 || offset >= size_ - position) {
    fail(what, position, "offset " + std::to_string(offset) + " points outside the file");
  }
  return position + offset;
}

FlatbufferTable FlatbufferBuffer::root(const std::string& what) const {
  if (size_ < 8) fail(what, 0, "file of " + std::to_string(size_) + " bytes is too short for a flatbuffer");
  return FlatbufferTable(*this, follow_offset(what, 0), what);
}

std::string FlatbufferBuffer::file_identifier() const {
  return size_ < 8 ? std::string() : std::string(reinterpret_cast<const char*>(data_) + 4, 4);
}

FlatbufferTable::FlatbufferTable(const FlatbufferBuffer& buffer, std::size_t position, std::string what)
    : buffer_(&buffer), position_(position), what_(std::move(what)) {
  buffer.require(what_, position, 4);
  const auto vtable_offset = static_cast<std::int64_t>(load<std::int32_t>(buffer.data() + position));
  const std::int64_t vtable = static_cast<std::int64_t>(position) - vtable_offset;
  if (vtable < 0 || vtable > static_cast<std::int64_t>(buffer.size()) - 4) {
    buffer.fail(what_, position,
                "table's vtable offset " + std::to_string(vtable_offset) + " leaves the file");
  }
  vtable_ = static_cast<std::size_t>(vtable);
  vtable_size_ = buffer.u16_at(what_, vtable_);
  table_size_ = buffer.u16_at(what_, vtable_ + 2);
  if (vtable_size_ < 4 || vtable_size_ % 2 != 0) {
    buffer.fail(what_, vtable_, "bad vtable size " + std::to_string(vtable_size_));
  }
  buffer.require(what_, vtable_, vtable_size_);
  if (table_size_ < 4) buffer.fail(what_, vtable_, "bad table size " + std::to_string(table_size_));
  buffer.require(what_, position_, table_size_);
}

std::string FlatbufferTable::describe(const char* field_name) const {
  return field_name == nullptr || *field_name == '\0' ? what_ : what_ + "." + field_name;
}

std::optional<std::size_t> FlatbufferTable::field_position(int field, std::size_t width,
                                                           const char* field_name) const {
  const std::size_t slot = 4 + 2 * static_cast<std::size_t>(field);
  if (field < 0 || slot + 2 > vtable_size_) return std::nullopt;  // written by an older schema: absent
  const std::uint16_t offset = load<std::uint16_t>(buffer_->data() + vtable_ + slot);
  if (offset == 0) return std::nullopt;
  if (offset < 4 || offset + width > table_size_) {
    buffer_->fail(describe(field_name), vtable_ + slot,
                  "field offset " + std::to_string(offset) + " lies outside its table of " +
                      std::to_string(table_size_) + " bytes");
  }
  return position_ + offset;
}

std::uint8_t FlatbufferTable::u8(int field, const char* field_name, std::uint8_t fallback) const {
  const std::optional<std::size_t> at = field_position(field, 1, field_name);
  return at ? buffer_->data()[*at] : fallback;
}

std::int32_t FlatbufferTable::i32(int field, const char* field_name, std::int32_t fallback) const {
  const std::optional<std::size_t> at = field_position(field, 4, field_name);
  return at ? load<std::int32_t>(buffer_->data() + *at) : fallback;
}

std::uint32_t FlatbufferTable::u32(int field, const char* field_name, std::uint32_t fallback) const {
  const std::optional<std::size_t> at = field_position(field, 4, field_name);
  return at ? load<std::uint32_t>(buffer_->data() + *at) : fallback;
}

std::uint64_t FlatbufferTable::u64(int field, const char* field_name, std::uint64_t fallback) const {
  const std::optional<std::size_t> at = field_position(field, 8, field_name);
  return at ? load<std::uint64_t>(buffer_->data() + *at) : fallback;
}

std::optional<ByteSpan> FlatbufferTable::vector_span(int field, std::size_t element_size,
                                                     const char* field_name) const {
  const std::optional<std::size_t> at = field_position(field, 4, field_name);
  if (!at) return std::nullopt;
  const std::string name = describe(field_name);
  const std::size_t vector = buffer_->follow_offset(name, *at);
  const std::uint32_t count = buffer_->u32_at(name, vector);
  const std::size_t start = vector + 4;
  if (count > (buffer_->size() - start) / element_size) {
    buffer_->fail(name, vector,
                  "vector of " + std::to_string(count) + " elements runs past the end of the file");
  }
  return ByteSpan{start, static_cast<std::size_t>(count) * element_size};
}

std::optional<FlatbufferTable> FlatbufferTable::table(int field, const char* field_name) const {
  const std::optional<std::size_t> at = field_position(field, 4, field_name);
  if (!at) return std::nullopt;
  const std::string name = describe(field_name);
  return FlatbufferTable(*buffer_, buffer_->follow_offset(name, *at), name);
}

std::vector<FlatbufferTable> FlatbufferTable::tables(int field, const char* field_name) const {
  std::vector<FlatbufferTable> result;
  const std::optional<ByteSpan> span = vector_span(field, 4, field_name);
  if (!span) return result;
  const std::string name = describe(field_name);
  for (std::size_t i = 0; i < span->size / 4; ++i) {
    const std::size_t element = span->offset + 4 * i;
    const std::string element_name = name + "[" + std::to_string(i) + "]";
    result.emplace_back(*buffer_, buffer_->follow_offset(element_name, element), element_name);
  }
  return result;
}

namespace {

template <typename T>
std::vector<T> load_all(const std::uint8_t* data, const std::optional<ByteSpan>& span) {
  std::vector<T> values;
  if (!span) return values;
  values.resize(span->size / sizeof(T));
  // An empty vector's data() may be null, and memcpy from or to null is
  // undefined even for zero bytes (UBSan reports it).
  if (!values.empty()) std::memcpy(values.data(), data + span->offset, span->size);
  return values;
}

}  // namespace

std::vector<std::int32_t> FlatbufferTable::i32s(int field, const char* field_name) const {
  return load_all<std::int32_t>(buffer_->data(), vector_span(field, 4, field_name));
}

std::vector<std::int64_t> FlatbufferTable::i64s(int field, const char* field_name) const {
  return load_all<std::int64_t>(buffer_->data(), vector_span(field, 8, field_name));
}

std::vector<float> FlatbufferTable::f32s(int field, const char* field_name) const {
  return load_all<float>(buffer_->data(), vector_span(field, 4, field_name));
}

std::string FlatbufferTable::string(int field, const char* field_name) const {
  const std::optional<ByteSpan> span = vector_span(field, 1, field_name);
  if (!span) return std::string();
  return std::string(reinterpret_cast<const char*>(buffer_->data()) + span->offset, span->size);
}

ByteSpan FlatbufferTable::bytes(int field, const char* field_name) const {
  return vector_span(field, 1, field_name).value_or(ByteSpan{});
}

}  // namespace popsweep::nets
