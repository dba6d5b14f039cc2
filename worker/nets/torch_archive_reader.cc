#include "worker/nets/torch_archive_reader.h"

#include "common/error.h"
#include "worker/nets/byte_reader.h"
#include "worker/nets/state_dict_unpickler.h"
#include "worker/nets/zip_archive.h"

namespace popsweep::nets {
namespace {

// The folder every record sits in: "archive" in files from recent PyTorch,
// the saved file's stem in older ones.
std::string find_record_prefix(const ZipArchive& archive, const std::string& source) {
  std::string prefix;
  for (const std::string& name : archive.entry_names()) {
    const std::string suffix = "/data.pkl";
    if (name.size() <= suffix.size() || name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    const std::string candidate = name.substr(0, name.size() - suffix.size());
    if (candidate.find('/') != std::string::npos) continue;
    if (!prefix.empty()) throw InputError(source, 0, "", "the archive holds more than one data.pkl");
    prefix = candidate;
  }
  if (prefix.empty())
    throw InputError(source, 0, "", "zip archive without <folder>/data.pkl: not a torch.save file");
  return prefix;
}

}  // namespace

std::vector<NamedTensorRecord> parse_torch_archive(std::shared_ptr<const std::vector<std::uint8_t>> bytes,
                                                   const std::string& source) {
  const ZipArchive archive(std::move(bytes), source);
  const std::string prefix = find_record_prefix(archive, source);

  const std::string byte_order_record = prefix + "/byteorder";
  if (archive.contains(byte_order_record)) {
    const std::vector<std::uint8_t> order = archive.read(byte_order_record);
    if (std::string(order.begin(), order.end()) != "little") {
      throw InputError(source, 0, "",
                       "tensors are stored big-endian; re-save the weights on a little-endian machine");
    }
  }

  const std::string pickle_record = prefix + "/data.pkl";
  if (archive.entry_size(pickle_record) > kMaxPickleBytes) {
    throw InputError(source, 0, "", "data.pkl is too large to be a state dict");
  }
  const std::vector<std::uint8_t> pickle = archive.read(pickle_record);
  const auto load_storage = [&](const std::string& key) {
    const std::string record = prefix + "/data/" + key;
    if (!archive.contains(record)) {
      throw InputError(source, 0, "",
                       "the pickle refers to storage " + quote_for_message(key) + ", which is missing");
    }
    return std::make_shared<const std::vector<std::uint8_t>>(archive.read(record));
  };
  return unpickle_state_dict(pickle, source + ":" + pickle_record, load_storage);
}

}  // namespace popsweep::nets
