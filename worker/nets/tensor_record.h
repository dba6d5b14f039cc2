// Tensors as the weight readers produce them: plain structs, free of LibTorch,
// so parsing untrusted files never touches torch headers and builds fast.
// tensor_conversion.h turns them into torch::Tensor and back.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace popsweep::nets {

// The element types a state dict may hold. Bytes are little-endian.
enum class ElementType { kFloat32, kFloat16, kBFloat16, kFloat64, kInt64, kInt32, kUInt8, kBool };

std::size_t element_size(ElementType type);
// "float32", "float16", ...: for error messages.
std::string element_type_name(ElementType type);
bool is_floating_point(ElementType type);

// One tensor: a view (shape, strides and offset in elements, as torch defines
// them) into a byte buffer that several tensors may share, as torch.save
// shares one storage between views.
struct TensorRecord {
  ElementType type = ElementType::kFloat32;
  std::vector<std::int64_t> shape;
  std::vector<std::int64_t> strides;
  std::int64_t storage_offset = 0;
  std::shared_ptr<const std::vector<std::uint8_t>> storage;

  std::int64_t element_count() const;
  // True when the view's every element lies inside `storage`; readers check
  // this before anyone reads through the view.
  bool fits_in_storage() const;
  // The view's elements in row-major order; requires fits_in_storage().
  std::vector<std::uint8_t> contiguous_bytes() const;
};

struct NamedTensorRecord {
  std::string name;
  TensorRecord tensor;
};

// A shape a reader may accept: at most 16 dimensions, none negative, and the
// product of the dimensions (zeros counted as one) far from overflowing.
bool is_reasonable_shape(const std::vector<std::int64_t>& shape);
// Row-major strides for a reasonable `shape`.
std::vector<std::int64_t> contiguous_strides(const std::vector<std::int64_t>& shape);
// "[32, 3, 3, 3]"
std::string describe_shape(const std::vector<std::int64_t>& shape);

}  // namespace popsweep::nets
