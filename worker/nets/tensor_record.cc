#include "worker/nets/tensor_record.h"

#include <algorithm>
#include <limits>

namespace popsweep::nets {
namespace {

constexpr std::int64_t kInt64Max = std::numeric_limits<std::int64_t>::max();

// a * b, or -1 when it would overflow; both are non-negative.
std::int64_t checked_multiply(std::int64_t a, std::int64_t b) {
  if (a != 0 && b > kInt64Max / a) return -1;
  return a * b;
}

std::int64_t checked_add(std::int64_t a, std::int64_t b) {
  if (b > kInt64Max - a) return -1;
  return a + b;
}

}  // namespace

std::size_t element_size(ElementType type) {
  switch (type) {
    case ElementType::kFloat32:
      return 4;
    case ElementType::kFloat16:
      return 2;
    case ElementType::kBFloat16:
      return 2;
    case ElementType::kFloat64:
      return 8;
    case ElementType::kInt64:
      return 8;
    case ElementType::kInt32:
      return 4;
    case ElementType::kUInt8:
      return 1;
    case ElementType::kBool:
      return 1;
  }
  return 1;
}

std::string element_type_name(ElementType type) {
  switch (type) {
    case ElementType::kFloat32:
      return "float32";
    case ElementType::kFloat16:
      return "float16";
    case ElementType::kBFloat16:
      return "bfloat16";
    case ElementType::kFloat64:
      return "float64";
    case ElementType::kInt64:
      return "int64";
    case ElementType::kInt32:
      return "int32";
    case ElementType::kUInt8:
      return "uint8";
    case ElementType::kBool:
      return "bool";
  }
  return "unknown";
}

bool is_floating_point(ElementType type) {
  return type == ElementType::kFloat32 || type == ElementType::kFloat16 || type == ElementType::kBFloat16 ||
         type == ElementType::kFloat64;
}

std::int64_t TensorRecord::element_count() const {
  std::int64_t count = 1;
  for (std::int64_t size : shape) {
    if (size < 0) return -1;
    count = checked_multiply(count, size);
    if (count < 0) return -1;
  }
  return count;
}

bool TensorRecord::fits_in_storage() const {
  if (!storage || shape.size() != strides.size() || storage_offset < 0) return false;
  const std::int64_t count = element_count();
  if (count < 0) return false;
  if (count == 0) return true;
  // The last element a view with non-negative strides touches.
  std::int64_t last = storage_offset;
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (strides[i] < 0) return false;
    const std::int64_t reach = checked_multiply(shape[i] - 1, strides[i]);
    if (reach < 0) return false;
    last = checked_add(last, reach);
    if (last < 0) return false;
  }
  const std::int64_t available = static_cast<std::int64_t>(storage->size() / element_size(type));
  return last < available;
}

std::vector<std::uint8_t> TensorRecord::contiguous_bytes() const {
  const std::size_t item = element_size(type);
  const std::int64_t count = element_count();
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(count) * item);
  if (count == 0) return bytes;
  if (strides == contiguous_strides(shape)) {
    const std::uint8_t* start = storage->data() + static_cast<std::size_t>(storage_offset) * item;
    std::copy(start, start + bytes.size(), bytes.begin());
    return bytes;
  }
  // Walk the view like an odometer, last dimension fastest.
  std::vector<std::int64_t> index(shape.size(), 0);
  std::int64_t source = storage_offset;
  for (std::int64_t written = 0; written < count; ++written) {
    std::copy_n(storage->data() + static_cast<std::size_t>(source) * item, item,
                bytes.data() + static_cast<std::size_t>(written) * item);
    for (std::size_t d = shape.size(); d-- > 0;) {
      source += strides[d];
      if (++index[d] < shape[d]) break;
      source -= strides[d] * shape[d];
      index[d] = 0;
    }
  }
  return bytes;
}

bool is_reasonable_shape(const std::vector<std::int64_t>& shape) {
  constexpr std::int64_t kLimit = std::int64_t{1} << 48;
  if (shape.size() > 16) return false;
  std::int64_t product = 1;
  for (std::int64_t size : shape) {
    if (size < 0 || size > kLimit) return false;
    product = checked_multiply(product, size > 0 ? size : 1);
    if (product < 0 || product > kLimit) return false;
  }
  return true;
}

std::vector<std::int64_t> contiguous_strides(const std::vector<std::int64_t>& shape) {
  std::vector<std::int64_t> strides(shape.size(), 1);
  for (std::size_t i = shape.size(); i > 1; --i) {
    strides[i - 2] = strides[i - 1] * (shape[i - 1] > 0 ? shape[i - 1] : 1);
  }
  return strides;
}

std::string describe_shape(const std::vector<std::int64_t>& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ", ";
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

}  // namespace popsweep::nets
