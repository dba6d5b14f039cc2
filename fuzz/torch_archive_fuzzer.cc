// A torch.save zip archive (the .pth weight files): the central directory,
// the records and their CRC-32s, then the state dict. Every entry's CRC is
// checked, so a mutated data.pkl rarely gets through; state_dict_pickle
// fuzzes the pickle on its own.
#include <memory>

#include "fuzz/fuzz_support.h"
#include "fuzz/fuzz_targets.h"
#include "worker/nets/torch_archive_reader.h"

namespace popsweep::fuzz {

void fuzz_torch_archive(const std::uint8_t* data, std::size_t size) {
  auto bytes = std::make_shared<const std::vector<std::uint8_t>>(data, data + size);
  accept_or_refuse([&] { check_tensor_records(nets::parse_torch_archive(bytes, "fuzz.pth")); });
}

}  // namespace popsweep::fuzz
