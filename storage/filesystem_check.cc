#include "storage/filesystem_check.h"

#include <sys/vfs.h>

#include <cstdlib>
#include <filesystem>

namespace popsweep::storage {

std::optional<std::string> network_filesystem_name(long magic) {
  switch (static_cast<unsigned long>(magic) & 0xffffffffUL) {
    case 0x6969UL: return "nfs";
    case 0xFF534D42UL: return "cifs";
    case 0xFE534D42UL: return "smb2";
    case 0x517BUL: return "smb";
    case 0x0BD00BD0UL: return "lustre";
    case 0x47504653UL: return "gpfs";
    case 0x19830326UL: return "beegfs";
    case 0x00C36400UL: return "ceph";
    case 0x013111A8UL: return "ibrix";
    case 0xAAD7AAEAUL: return "panfs";
    case 0x65735546UL: return "fuse";  // sshfs, s3fs, ... : no safe locking either
    default: return std::nullopt;
  }
}

std::optional<std::string> network_filesystem_of(const std::string& path) {
  // For tests and for file systems the magic numbers miss.
  if (const char* assumed = std::getenv("POPSWEEP_ASSUME_NETWORK_FS"); assumed && *assumed) return std::string(assumed);
  std::filesystem::path folder = std::filesystem::absolute(path).parent_path();
  struct statfs info {};
  if (::statfs(folder.c_str(), &info) != 0) return std::nullopt;
  return network_filesystem_name(static_cast<long>(info.f_type));
}

}  // namespace popsweep::storage
