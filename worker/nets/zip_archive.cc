#include "worker/nets/zip_archive.h"

#include <array>

#include "common/error.h"
#include "worker/nets/byte_reader.h"

namespace popsweep::nets {
namespace {

constexpr std::uint32_t kEndOfCentralDirectorySignature = 0x06054b50;
constexpr std::uint32_t kCentralHeaderSignature = 0x02014b50;
constexpr std::uint32_t kLocalHeaderSignature = 0x04034b50;
constexpr std::size_t kEndOfCentralDirectorySize = 22;
constexpr std::size_t kMaxCommentSize = 0xFFFF;
constexpr std::uint16_t kStored = 0;

std::array<std::uint32_t, 256> make_crc32_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t value = i;
    for (int bit = 0; bit < 8; ++bit) value = (value & 1) ? (0xEDB88320u ^ (value >> 1)) : (value >> 1);
    table[i] = value;
  }
  return table;
}

}  // namespace

std::uint32_t crc32(const std::uint8_t* data, std::size_t size) {
  static const std::array<std::uint32_t, 256> table = make_crc32_table();
  std::uint32_t crc = 0xFFFFFFFFu;
  for (std::size_t i = 0; i < size; ++i) crc = table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

ZipArchive::ZipArchive(std::shared_ptr<const std::vector<std::uint8_t>> bytes, std::string source)
    : bytes_(std::move(bytes)), source_(std::move(source)) {
  read_central_directory();
}

void ZipArchive::read_central_directory() {
  const std::vector<std::uint8_t>& data = *bytes_;
  ByteReader reader(data.data(), data.size(), source_);
  if (data.size() < kEndOfCentralDirectorySize) reader.fail("too short to be a zip archive");

  // The end record sits at the end, followed only by a comment of up to 64 KiB.
  std::size_t end_record = data.size() - kEndOfCentralDirectorySize;
  const std::size_t lowest = end_record > kMaxCommentSize ? end_record - kMaxCommentSize : 0;
  for (;; --end_record) {
    reader.seek(end_record);
    if (reader.u32() == kEndOfCentralDirectorySignature) break;
    if (end_record == lowest) reader.fail("no zip end-of-central-directory record (truncated?)");
  }
  reader.seek(end_record + 10);
  const std::uint16_t entry_count = reader.u16();
  const std::uint32_t directory_size = reader.u32();
  const std::uint32_t directory_offset = reader.u32();
  if (entry_count == 0xFFFF || directory_size == 0xFFFFFFFF || directory_offset == 0xFFFFFFFF) {
    reader.fail("zip64 archive (over 4 GiB or 65535 entries) is not supported");
  }
  if (static_cast<std::uint64_t>(directory_offset) + directory_size > end_record) {
    reader.fail("central directory lies outside the archive (truncated?)");
  }

  reader.seek(directory_offset);
  for (std::size_t i = 0; i < entry_count; ++i) {
    if (entries_.size() >= kMaxZipEntries) reader.fail("too many zip entries");
    if (reader.u32() != kCentralHeaderSignature) reader.fail("bad central directory header");
    reader.seek(reader.position() + 6);  // versions, flags
    Entry entry;
    entry.method = reader.u16();
    reader.seek(reader.position() + 4);  // time, date
    entry.crc32 = reader.u32();
    entry.compressed_size = reader.u32();
    entry.uncompressed_size = reader.u32();
    const std::uint16_t name_length = reader.u16();
    const std::uint16_t extra_length = reader.u16();
    const std::uint16_t comment_length = reader.u16();
    reader.seek(reader.position() + 8);  // disk, attributes
    entry.local_header_offset = reader.u32();
    std::string name = reader.string(name_length);
    reader.bytes(static_cast<std::size_t>(extra_length) + comment_length);
    if (entry.compressed_size == 0xFFFFFFFF || entry.uncompressed_size == 0xFFFFFFFF ||
        entry.local_header_offset == 0xFFFFFFFF) {
      reader.fail("entry '" + name + "' needs zip64, which is not supported");
    }
    if (!entries_.emplace(name, entry).second) reader.fail("duplicate zip entry '" + name + "'");
  }
}

std::vector<std::string> ZipArchive::entry_names() const {
  std::vector<std::string> names;
  for (const auto& [name, entry] : entries_) names.push_back(name);
  return names;
}

const ZipArchive::Entry& ZipArchive::find(const std::string& name) const {
  const auto found = entries_.find(name);
  if (found == entries_.end()) throw InputError(source_, 0, "", "zip archive has no entry '" + name + "'");
  return found->second;
}

std::uint64_t ZipArchive::entry_size(const std::string& name) const { return find(name).uncompressed_size; }

std::vector<std::uint8_t> ZipArchive::read(const std::string& name) const {
  const Entry& entry = find(name);
  ByteReader reader(bytes_->data(), bytes_->size(), source_ + ":" + name);
  if (entry.method != kStored || entry.compressed_size != entry.uncompressed_size) {
    reader.fail("entry is compressed (method " + std::to_string(entry.method) +
                "); torch.save archives store entries uncompressed");
  }
  reader.seek(entry.local_header_offset);
  if (reader.u32() != kLocalHeaderSignature) reader.fail("bad local file header");
  reader.seek(reader.position() + 22);  // up to the name and extra lengths
  const std::uint16_t name_length = reader.u16();
  const std::uint16_t extra_length = reader.u16();
  if (reader.string(name_length) != name) reader.fail("local header names a different entry");
  reader.bytes(extra_length);
  const std::uint8_t* start = reader.bytes(entry.uncompressed_size);
  if (crc32(start, entry.uncompressed_size) != entry.crc32)
    reader.fail("CRC-32 mismatch: the entry is corrupt");
  return std::vector<std::uint8_t>(start, start + entry.uncompressed_size);
}

}  // namespace popsweep::nets
