#include "worker/nets/tensor_conversion.h"

#include <torch/torch.h>  // explicit, so the build gives this file the precompiled header

#include <cstring>

#include "common/error.h"

namespace popsweep::nets {

c10::ScalarType to_scalar_type(ElementType type) {
  switch (type) {
    case ElementType::kFloat32:
      return torch::kFloat32;
    case ElementType::kFloat16:
      return torch::kFloat16;
    case ElementType::kBFloat16:
      return torch::kBFloat16;
    case ElementType::kFloat64:
      return torch::kFloat64;
    case ElementType::kInt64:
      return torch::kInt64;
    case ElementType::kInt32:
      return torch::kInt32;
    case ElementType::kUInt8:
      return torch::kUInt8;
    case ElementType::kBool:
      return torch::kBool;
  }
  return torch::kFloat32;
}

ElementType to_element_type(c10::ScalarType type) {
  switch (type) {
    case torch::kFloat32:
      return ElementType::kFloat32;
    case torch::kFloat16:
      return ElementType::kFloat16;
    case torch::kBFloat16:
      return ElementType::kBFloat16;
    case torch::kFloat64:
      return ElementType::kFloat64;
    case torch::kInt64:
      return ElementType::kInt64;
    case torch::kInt32:
      return ElementType::kInt32;
    case torch::kUInt8:
      return ElementType::kUInt8;
    case torch::kBool:
      return ElementType::kBool;
    default:
      throw Error(std::string("tensors of type ") + c10::toString(type) +
                  " cannot be stored in a weight file");
  }
}

torch::Tensor to_torch(const TensorRecord& record) {
  if (!record.fits_in_storage())
    throw Error("tensor view " + describe_shape(record.shape) + " does not fit its storage");
  const std::vector<std::uint8_t> bytes = record.contiguous_bytes();
  torch::Tensor tensor =
      torch::empty(record.shape, torch::TensorOptions().dtype(to_scalar_type(record.type)));
  if (!bytes.empty()) std::memcpy(tensor.data_ptr(), bytes.data(), bytes.size());
  return tensor;
}

TensorRecord to_record(const torch::Tensor& tensor) {
  const torch::Tensor cpu = tensor.detach().to(torch::kCPU).contiguous();
  TensorRecord record;
  record.type = to_element_type(cpu.scalar_type());
  record.shape = cpu.sizes().vec();
  record.strides = contiguous_strides(record.shape);
  const auto* start = static_cast<const std::uint8_t*>(cpu.data_ptr());
  record.storage = std::make_shared<const std::vector<std::uint8_t>>(start, start + cpu.nbytes());
  return record;
}

std::vector<NamedTensorRecord> state_dict_records(const torch::nn::Module& module) {
  std::vector<NamedTensorRecord> records;
  for (const auto& item : module.named_parameters()) records.push_back({item.key(), to_record(item.value())});
  for (const auto& item : module.named_buffers()) records.push_back({item.key(), to_record(item.value())});
  return records;
}

}  // namespace popsweep::nets
