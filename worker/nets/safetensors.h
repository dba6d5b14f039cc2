// The safetensors format (huggingface/safetensors): an 8-byte little-endian
// header length N, N bytes of JSON mapping each tensor name to
//   {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}
// (offsets relative to the byte after the header) plus an optional
// "__metadata__" object of strings, then the raw little-endian data.
// Element types: F32, F16, BF16, F64, I64, I32, U8, BOOL.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "worker/nets/tensor_record.h"

namespace popsweep::nets {

// A header holds names, shapes and offsets; 100 MiB is far above any model's.
constexpr std::uint64_t kMaxSafetensorsHeaderBytes = 100ull << 20;

// Tensors in the order of their data in the file. Every offset and size is
// checked against the buffer; `source` names the file in errors (InputError).
std::vector<NamedTensorRecord> parse_safetensors(const std::vector<std::uint8_t>& bytes,
                                                 const std::string& source);

// The "__metadata__" strings of a safetensors file (empty when it has none, or
// when `bytes` is not safetensors). `bytes` may stop after the header. Throws
// InputError naming `source` when the header is cut off or malformed.
std::map<std::string, std::string> read_safetensors_metadata(const std::vector<std::uint8_t>& bytes,
                                                             const std::string& source);

// The whole file's bytes: tensors laid out contiguously in the given order,
// header padded with spaces to a multiple of 8 bytes as the format recommends.
std::string serialize_safetensors(const std::vector<NamedTensorRecord>& tensors,
                                  const std::map<std::string, std::string>& metadata = {});

// Writes serialize_safetensors() to `path` atomically.
void write_safetensors(const std::string& path, const std::vector<NamedTensorRecord>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

}  // namespace popsweep::nets
