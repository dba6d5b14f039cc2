// A read-only zip archive in memory, with just what torch.save writes:
// stored (uncompressed) entries located through the central directory. The
// local headers torch.save writes carry no sizes (flag bit 3), so sizes come
// from the central directory only. Every offset is bounds-checked and every
// entry's CRC-32 verified on read. Archives needing zip64 (over 4 GiB) and
// compressed entries are refused with a clear error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace popsweep::nets {

// torch.save writes one entry per storage plus three; more than this is not
// a weight file (and would cost a map node each).
constexpr std::size_t kMaxZipEntries = 1'000'000;

class ZipArchive {
 public:
  // Parses the central directory of `bytes`; throws InputError naming
  // `source` when it is not a well-formed zip archive.
  ZipArchive(std::shared_ptr<const std::vector<std::uint8_t>> bytes, std::string source);

  std::vector<std::string> entry_names() const;
  bool contains(const std::string& name) const { return entries_.count(name) > 0; }
  std::uint64_t entry_size(const std::string& name) const;
  // The entry's bytes, after checking its local header and CRC-32.
  std::vector<std::uint8_t> read(const std::string& name) const;

 private:
  struct Entry {
    std::uint16_t method = 0;
    std::uint32_t crc32 = 0;
    std::uint32_t compressed_size = 0;
    std::uint32_t uncompressed_size = 0;
    std::uint32_t local_header_offset = 0;
  };

  void read_central_directory();
  const Entry& find(const std::string& name) const;

  std::shared_ptr<const std::vector<std::uint8_t>> bytes_;
  std::string source_;
  std::map<std::string, Entry> entries_;
};

std::uint32_t crc32(const std::uint8_t* data, std::size_t size);

}  // namespace popsweep::nets
