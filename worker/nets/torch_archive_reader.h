// Reads the zip archive torch.save writes (PyTorch 1.6 and later):
//   <prefix>/data.pkl      the pickled state dict (read by state_dict_unpickler)
//   <prefix>/data/<key>    one raw little-endian record per storage
//   <prefix>/version, and in newer files <prefix>/byteorder
// Nothing in the file is executed. Legacy (pre-1.6) torch.save files are not
// zip archives; weight_file.h names them and asks for a re-save.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "worker/nets/tensor_record.h"

namespace popsweep::nets {

// torchvision's data.pkl is about 60 KiB; a state dict's pickle is only names
// and tensor views, so anything near this is not a state dict.
constexpr std::uint64_t kMaxPickleBytes = 64ull << 20;

// `source` names the file in errors (InputError).
std::vector<NamedTensorRecord> parse_torch_archive(std::shared_ptr<const std::vector<std::uint8_t>> bytes,
                                                   const std::string& source);

}  // namespace popsweep::nets
