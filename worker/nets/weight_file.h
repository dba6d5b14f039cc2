// Reads a weight file of either format popsweep accepts, told apart by its
// first bytes: a torch.save zip archive ("PK\x03\x04") or safetensors (an
// 8-byte header length followed by '{'). Weight files are untrusted input:
// reading one executes nothing, is capped in size, and a malformed file ends
// in an InputError naming it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "worker/nets/tensor_record.h"

namespace popsweep::nets {

// EfficientNet-B0 is 21 MB; larger backbones stay far below this.
constexpr std::int64_t kMaxWeightFileBytes = std::int64_t{2} << 30;

std::vector<NamedTensorRecord> read_weight_file(const std::string& path);

}  // namespace popsweep::nets
