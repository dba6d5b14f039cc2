// The bridge between the readers' plain TensorRecords and LibTorch.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "worker/nets/tensor_record.h"

namespace popsweep::nets {

c10::ScalarType to_scalar_type(ElementType type);
// Throws Error for dtypes no weight file format here can hold (complex, ...).
ElementType to_element_type(c10::ScalarType type);

// A contiguous CPU copy of the record's view; the record must fit its storage.
torch::Tensor to_torch(const TensorRecord& record);
// A contiguous CPU copy of `tensor`, from any device.
TensorRecord to_record(const torch::Tensor& tensor);

// Every parameter and buffer of `module` under its state-dict name, in
// registration order: what torch's state_dict() holds.
std::vector<NamedTensorRecord> state_dict_records(const torch::nn::Module& module);

}  // namespace popsweep::nets
