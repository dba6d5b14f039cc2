#include "worker/nets/safetensors.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/file_util.h"
#include "worker/nets/byte_reader.h"

namespace popsweep::nets {
namespace {

constexpr const char* kMetadataKey = "__metadata__";

const std::vector<std::pair<std::string, ElementType>>& type_codes() {
  static const std::vector<std::pair<std::string, ElementType>> codes = {
      {"F32", ElementType::kFloat32}, {"F16", ElementType::kFloat16}, {"BF16", ElementType::kBFloat16},
      {"F64", ElementType::kFloat64}, {"I64", ElementType::kInt64},   {"I32", ElementType::kInt32},
      {"U8", ElementType::kUInt8},    {"BOOL", ElementType::kBool},
  };
  return codes;
}

std::string type_code(ElementType type) {
  for (const auto& [code, known] : type_codes()) {
    if (known == type) return code;
  }
  return "?";
}

struct HeaderEntry {
  std::string name;
  ElementType type;
  std::vector<std::int64_t> shape;
  std::uint64_t begin;
  std::uint64_t end;
};

HeaderEntry parse_entry(const std::string& name, const nlohmann::json& value, const std::string& source) {
  const auto fail = [&](const std::string& message) -> void { throw InputError(source, 0, name, message); };
  HeaderEntry entry{name, ElementType::kFloat32, {}, 0, 0};
  if (!value.is_object()) fail("header entry is not an object");
  const auto dtype = value.find("dtype");
  const auto shape = value.find("shape");
  const auto offsets = value.find("data_offsets");
  if (dtype == value.end() || shape == value.end() || offsets == value.end()) {
    fail("header entry needs dtype, shape and data_offsets");
  }
  if (!dtype->is_string()) fail("dtype is not a string");
  const auto code = std::find_if(type_codes().begin(), type_codes().end(),
                                 [&](const auto& known) { return known.first == dtype->get<std::string>(); });
  if (code == type_codes().end()) fail("unsupported dtype " + quote_for_message(dtype->get<std::string>()));
  entry.type = code->second;
  if (!shape->is_array()) fail("shape is not an array");
  for (const nlohmann::json& size : *shape) {
    if (!size.is_number_unsigned() || size.get<std::uint64_t>() > (1ull << 48))
      fail("shape holds a bad dimension");
    entry.shape.push_back(size.get<std::int64_t>());
  }
  if (!is_reasonable_shape(entry.shape)) fail("shape " + describe_shape(entry.shape) + " is too large");
  if (!offsets->is_array() || offsets->size() != 2 || !(*offsets)[0].is_number_unsigned() ||
      !(*offsets)[1].is_number_unsigned()) {
    fail("data_offsets is not a pair of offsets");
  }
  entry.begin = (*offsets)[0].get<std::uint64_t>();
  entry.end = (*offsets)[1].get<std::uint64_t>();
  return entry;
}

}  // namespace

std::vector<NamedTensorRecord> parse_safetensors(const std::vector<std::uint8_t>& bytes,
                                                 const std::string& source) {
  ByteReader reader(bytes.data(), bytes.size(), source);
  const std::uint64_t header_size = reader.u64();
  if (header_size > kMaxSafetensorsHeaderBytes || header_size > reader.remaining()) {
    reader.fail("header length " + std::to_string(header_size) +
                " exceeds the file (truncated or not safetensors)");
  }
  const std::uint8_t* header_start = reader.bytes(static_cast<std::size_t>(header_size));
  const nlohmann::json header =
      nlohmann::json::parse(header_start, header_start + header_size, nullptr, /*allow_exceptions=*/false);
  if (header.is_discarded() || !header.is_object())
    throw InputError(source, 0, "", "header is not a JSON object");

  const std::uint64_t data_size = reader.remaining();
  const std::uint8_t* data = bytes.data() + reader.position();
  std::vector<HeaderEntry> entries;
  for (const auto& [name, value] : header.items()) {
    if (name == kMetadataKey) continue;
    HeaderEntry entry = parse_entry(name, value, source);
    const std::uint64_t expected =
        static_cast<std::uint64_t>(TensorRecord{entry.type, entry.shape, {}, 0, nullptr}.element_count()) *
        element_size(entry.type);
    if (entry.begin > entry.end || entry.end > data_size) {
      throw InputError(source, 0, name, "data_offsets lie outside the file's data (truncated?)");
    }
    if (entry.end - entry.begin != expected) {
      throw InputError(source, 0, name,
                       "data_offsets span " + std::to_string(entry.end - entry.begin) + " bytes but shape " +
                           describe_shape(entry.shape) + " needs " + std::to_string(expected));
    }
    entries.push_back(std::move(entry));
  }
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.begin < b.begin; });
  for (std::size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].begin < entries[i - 1].end) {
      throw InputError(source, 0, entries[i].name,
                       "data overlaps tensor " + quote_for_message(entries[i - 1].name));
    }
  }

  std::vector<NamedTensorRecord> tensors;
  for (HeaderEntry& entry : entries) {
    TensorRecord tensor;
    tensor.type = entry.type;
    tensor.strides = contiguous_strides(entry.shape);
    tensor.shape = std::move(entry.shape);
    tensor.storage = std::make_shared<const std::vector<std::uint8_t>>(data + entry.begin, data + entry.end);
    tensors.push_back({std::move(entry.name), std::move(tensor)});
  }
  return tensors;
}

std::map<std::string, std::string> read_safetensors_metadata(const std::vector<std::uint8_t>& bytes,
                                                             const std::string& source) {
  std::map<std::string, std::string> metadata;
  if (bytes.size() < 9 || bytes[8] != '{') return metadata;
  std::uint64_t length = 0;
  std::memcpy(&length, bytes.data(), 8);
  if (length > bytes.size() - 8)
    throw InputError(source, 0, "", "safetensors header runs past the end of the file");
  const nlohmann::json header =
      nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(length),
                            nullptr, /*allow_exceptions=*/false);
  if (header.is_discarded() || !header.is_object())
    throw InputError(source, 0, "", "header is not a JSON object");
  const auto found = header.find(kMetadataKey);
  if (found == header.end()) return metadata;
  if (!found->is_object()) throw InputError(source, 0, kMetadataKey, "is not an object");
  for (const auto& [key, value] : found->items()) {
    if (!value.is_string())
      throw InputError(source, 0, std::string(kMetadataKey) + "." + key, "is not a string");
    metadata[key] = value.get<std::string>();
  }
  return metadata;
}

std::string serialize_safetensors(const std::vector<NamedTensorRecord>& tensors,
                                  const std::map<std::string, std::string>& metadata) {
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) header[kMetadataKey] = metadata;
  std::string data;
  for (const NamedTensorRecord& named : tensors) {
    if (named.name == kMetadataKey || header.contains(named.name)) {
      throw Error("cannot write safetensors: tensor name " + quote_for_message(named.name) +
                  " is reserved or repeated");
    }
    if (!named.tensor.fits_in_storage()) {
      throw Error("cannot write safetensors: tensor " + quote_for_message(named.name) +
                  " does not fit its storage");
    }
    const std::vector<std::uint8_t> bytes = named.tensor.contiguous_bytes();
    header[named.name] = {{"dtype", type_code(named.tensor.type)},
                          {"shape", named.tensor.shape},
                          {"data_offsets", {data.size(), data.size() + bytes.size()}}};
    data.append(bytes.begin(), bytes.end());
  }
  std::string header_text = header.dump();
  header_text.append((8 - header_text.size() % 8) % 8, ' ');
  std::string file(8, '\0');
  for (int i = 0; i < 8; ++i) file[i] = static_cast<char>((header_text.size() >> (8 * i)) & 0xFF);
  return file + header_text + data;
}

void write_safetensors(const std::string& path, const std::vector<NamedTensorRecord>& tensors,
                       const std::map<std::string, std::string>& metadata) {
  write_file_atomically(path, serialize_safetensors(tensors, metadata));
}

}  // namespace popsweep::nets
