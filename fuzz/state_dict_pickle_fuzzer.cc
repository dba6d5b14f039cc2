// The pickle of a state dict (data.pkl inside a torch.save archive) through
// the restricted unpickler. Every storage it asks for is 4 KiB of bytes, as
// the archive's records of a small model would be; a key no archive could
// hold is refused as the archive reader refuses a missing record.
#include <memory>

#include "fuzz/fuzz_support.h"
#include "fuzz/fuzz_targets.h"
#include "worker/nets/state_dict_unpickler.h"

namespace popsweep::fuzz {

void fuzz_state_dict_pickle(const std::uint8_t* data, std::size_t size) {
  static const auto storage = std::make_shared<const std::vector<std::uint8_t>>(4096, std::uint8_t{0x3f});
  const std::vector<std::uint8_t> pickle(data, data + size);
  const nets::StorageRecordLoader load_storage = [](const std::string& key) {
    if (key.empty() || key.size() > 32) throw InputError("fuzz.pth", 0, "", "no storage record for that key");
    return storage;
  };
  accept_or_refuse(
      [&] { check_tensor_records(nets::unpickle_state_dict(pickle, "data.pkl", load_storage)); });
}

}  // namespace popsweep::fuzz
