#include "orchestrator/message.h"

#include <cstdint>
#include <cstring>

#include "common/error.h"

namespace popsweep::orchestrator {
namespace {

// Headers carry job parameters and small results; anything bigger belongs in
// a blob. The caps keep a corrupt length from allocating without bound.
constexpr std::uint32_t kMaxHeaderBytes = 64u << 20;
constexpr std::uint32_t kMaxBlobs = 1u << 20;

void put_u32(std::string& out, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

void put_u64(std::string& out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

class Reader {
 public:
  explicit Reader(const std::string& bytes) : bytes_(bytes) {}
  std::uint64_t read_uint(int width) {
    need(static_cast<size_t>(width));
    std::uint64_t value = 0;
    for (int i = 0; i < width; ++i) {
      value |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes_[position_ + static_cast<size_t>(i)]))
               << (8 * i);
    }
    position_ += static_cast<size_t>(width);
    return value;
  }
  std::string read_bytes(std::uint64_t size) {
    need(size);
    std::string out = bytes_.substr(position_, static_cast<size_t>(size));
    position_ += static_cast<size_t>(size);
    return out;
  }
  bool at_end() const { return position_ == bytes_.size(); }

 private:
  void need(std::uint64_t size) const {
    if (size > bytes_.size() - position_) throw Error("malformed message: truncated");
  }
  const std::string& bytes_;
  size_t position_ = 0;
};

}  // namespace

Message make_message(const std::string& type, nlohmann::json fields) {
  Message message;
  message.header = std::move(fields);
  message.header["type"] = type;
  return message;
}

std::string encode_message(const Message& message) {
  const std::string header = message.header.dump();
  std::string out = "PSW1";
  put_u32(out, static_cast<std::uint32_t>(header.size()));
  out += header;
  put_u32(out, static_cast<std::uint32_t>(message.blobs.size()));
  for (const std::string& blob : message.blobs) {
    put_u64(out, blob.size());
    out += blob;
  }
  return out;
}

Message decode_message(const std::string& bytes) {
  if (bytes.compare(0, 4, "PSW1") != 0) throw Error("malformed message: bad magic");
  Reader reader(bytes);
  reader.read_bytes(4);
  const std::uint64_t header_size = reader.read_uint(4);
  if (header_size > kMaxHeaderBytes) throw Error("malformed message: header too large");
  Message message;
  try {
    message.header = nlohmann::json::parse(reader.read_bytes(header_size));
  } catch (const nlohmann::json::exception& error) {
    throw Error(std::string("malformed message header: ") + error.what());
  }
  const std::uint64_t blobs = reader.read_uint(4);
  if (blobs > kMaxBlobs) throw Error("malformed message: too many blobs");
  for (std::uint64_t i = 0; i < blobs; ++i) message.blobs.push_back(reader.read_bytes(reader.read_uint(8)));
  if (!reader.at_end()) throw Error("malformed message: trailing bytes");
  return message;
}

std::string floats_to_blob(const std::vector<float>& values) {
  std::string blob(values.size() * sizeof(float), '\0');
  if (!values.empty()) std::memcpy(blob.data(), values.data(), blob.size());
  return blob;
}

std::vector<float> blob_to_floats(const std::string& blob) {
  if (blob.size() % sizeof(float) != 0) throw Error("malformed float attachment");
  std::vector<float> values(blob.size() / sizeof(float));
  if (!values.empty()) std::memcpy(values.data(), blob.data(), blob.size());
  return values;
}

}  // namespace popsweep::orchestrator
