#include "worker/nets/weight_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>

#include "common/error.h"
#include "common/file_util.h"
#include "worker/nets/safetensors.h"
#include "worker/nets/torch_archive_reader.h"

namespace popsweep::nets {
namespace {

std::shared_ptr<const std::vector<std::uint8_t>> read_capped(const std::string& path) {
  const std::int64_t size = file_size(path);
  if (size < 0) throw InputError(path, 0, "", "cannot read the weight file");
  if (size > kMaxWeightFileBytes) {
    throw InputError(path, 0, "",
                     "weight file of " + std::to_string(size) + " bytes is over the limit of " +
                         std::to_string(kMaxWeightFileBytes));
  }
  auto bytes = std::make_shared<std::vector<std::uint8_t>>(static_cast<std::size_t>(size));
  std::ifstream in(path, std::ios::binary);
  in.read(reinterpret_cast<char*>(bytes->data()), size);
  if (!in || in.gcount() != size)
    throw InputError(path, 0, "", std::string("read failed: ") + std::strerror(errno));
  return bytes;
}

bool starts_with(const std::vector<std::uint8_t>& bytes, const std::string& magic) {
  return bytes.size() >= magic.size() && std::memcmp(bytes.data(), magic.data(), magic.size()) == 0;
}

}  // namespace

std::vector<NamedTensorRecord> read_weight_file(const std::string& path) {
  const std::shared_ptr<const std::vector<std::uint8_t>> bytes = read_capped(path);
  if (starts_with(*bytes, std::string("PK\x03\x04", 4))) return parse_torch_archive(bytes, path);
  if (bytes->size() > 8 && (*bytes)[8] == '{') return parse_safetensors(*bytes, path);
  if (starts_with(*bytes, "\x80\x02") || starts_with(*bytes, "\x80\x03")) {
    throw InputError(path, 0, "",
                     "legacy torch.save format (PyTorch before 1.6) is not supported; re-save it with "
                     "torch.save(torch.load(path), new_path) in a recent PyTorch");
  }
  throw InputError(path, 0, "", "neither a torch.save zip archive nor a safetensors file");
}

}  // namespace popsweep::nets
