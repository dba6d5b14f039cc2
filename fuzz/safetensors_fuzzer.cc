// A safetensors file: the header's tensors and offsets, and the
// "__metadata__" strings (what the MobileNetV2 loader reads the input
// convention from).
#include "fuzz/fuzz_support.h"
#include "fuzz/fuzz_targets.h"
#include "worker/nets/safetensors.h"

namespace popsweep::fuzz {

void fuzz_safetensors(const std::uint8_t* data, std::size_t size) {
  const std::vector<std::uint8_t> bytes(data, data + size);
  accept_or_refuse([&] { check_tensor_records(nets::parse_safetensors(bytes, "fuzz.safetensors")); });
  accept_or_refuse([&] { nets::read_safetensors_metadata(bytes, "fuzz.safetensors"); });
}

}  // namespace popsweep::fuzz
