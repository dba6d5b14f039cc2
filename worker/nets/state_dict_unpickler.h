// A restricted unpickler for the pickle inside a torch.save archive of a
// state dict (data.pkl). Python's pickle can call any importable function, so
// a weight file is untrusted code; this reader executes nothing. It knows the
// handful of opcodes torch.save emits (protocol 2, plus the inert protocol 4
// framing ones) and an allow-list of globals:
//   collections.OrderedDict, torch._utils._rebuild_tensor_v2, and the typed
//   storage classes torch.{Float,Half,BFloat16,Double,Long,Int,Byte,Bool}Storage.
// Anything else is refused with an error naming the opcode or the global.
// The result must be a dict of name -> tensor; the OrderedDict's `_metadata`
// attribute (set by BUILD) is accepted and ignored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "worker/nets/tensor_record.h"

namespace popsweep::nets {

// Values one pickle may create. A state dict's pickle creates about 20 per
// tensor (torchvision's EfficientNet-B0: some 6,800 for 360 tensors); each
// costs about 80 bytes however short its opcode, so the cap bounds memory
// (80 MB) where a 25 MB pickle of one-byte opcodes asked for 2.5 GB.
constexpr std::size_t kMaxPickleValues = 1'000'000;

// Returns the bytes of the archive record holding storage `key`
// (archive/data/<key>); throws when there is none.
using StorageRecordLoader =
    std::function<std::shared_ptr<const std::vector<std::uint8_t>>(const std::string& key)>;

// Tensors in the order the pickle lists them. `source` names the file in
// errors (InputError). Each storage is loaded once, however many views share it.
std::vector<NamedTensorRecord> unpickle_state_dict(const std::vector<std::uint8_t>& pickle,
                                                   const std::string& source,
                                                   const StorageRecordLoader& load_storage);

}  // namespace popsweep::nets
