#include "storage/checkpoint_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

#include "common/error.h"
#include "common/file_util.h"
#include "common/sha256.h"
#include "storage/database.h"

namespace popsweep::storage {
namespace {

constexpr const char* kSuffix = ".pt";

[[noreturn]] void fail(const std::string& what, const std::string& path) {
  throw Error(what + " " + path + ": " + std::strerror(errno));
}

void write_all(int fd, const std::string& bytes, const std::string& path) {
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("cannot write checkpoint file", path);
    written += static_cast<size_t>(n);
  }
}

void sync_folder(const std::string& folder) {
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) fail("cannot open checkpoint folder", folder);
  const int synced = ::fsync(fd);
  ::close(fd);
  if (synced != 0) fail("cannot sync checkpoint folder", folder);
}

// The sha256 a file's name claims, or "" for a name the store never writes.
std::string named_sha256(const std::filesystem::path& file) {
  const std::string name = file.filename().string();
  if (name.size() != 64 + std::string(kSuffix).size() || name.substr(64) != kSuffix) return "";
  return name.substr(0, 64);
}

}  // namespace

bool keeps_checkpoint_in_file(const Database& db, std::size_t bytes) {
  return bytes > kCheckpointFileThreshold && db.path() != ":memory:" && !db.path().empty();
}

std::string checkpoint_folder(const Database& db) { return db.path() + ".checkpoints"; }

std::string checkpoint_file_path(const Database& db, const std::string& sha256) {
  return checkpoint_folder(db) + "/" + sha256 + kSuffix;
}

std::string store_checkpoint_file(const Database& db, const std::string& bytes) {
  const std::string sha256 = sha256_hex(bytes);
  const std::string folder = checkpoint_folder(db);
  const std::string path = checkpoint_file_path(db, sha256);
  if (file_exists(path) && sha256_file_hex(path) == sha256) return sha256;
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) throw Error("cannot create checkpoint folder " + folder + ": " + error.message());
  const std::string temporary = path + ".tmp-" + std::to_string(::getpid());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot create checkpoint file", temporary);
  try {
    write_all(fd, bytes, temporary);
    if (::fsync(fd) != 0) fail("cannot sync checkpoint file", temporary);
  } catch (...) {
    ::close(fd);
    ::unlink(temporary.c_str());
    throw;
  }
  ::close(fd);
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    ::unlink(temporary.c_str());
    fail("cannot rename checkpoint file to", path);
  }
  sync_folder(folder);
  return sha256;
}

std::string read_checkpoint_file(const Database& db, const std::string& sha256) {
  const std::string path = checkpoint_file_path(db, sha256);
  if (!file_exists(path)) {
    throw InputError(path, 0, "", "checkpoint file missing (popsweep doctor lists what is lost)");
  }
  const std::vector<std::uint8_t> data = read_binary_file(path);
  std::string bytes(data.begin(), data.end());
  if (sha256_hex(bytes) != sha256) {
    throw InputError(path, 0, "", "checkpoint file corrupt: its SHA-256 is not " + sha256);
  }
  return bytes;
}

CheckpointFileAudit audit_checkpoint_files(Database& db) {
  CheckpointFileAudit audit;
  std::map<std::string, std::string> owner;  // sha256 -> "job J kind"
  Statement rows = db.prepare(
      "SELECT job_id, kind, file_sha256 FROM checkpoints WHERE file_sha256 IS NOT NULL ORDER BY job_id");
  while (rows.step()) {
    owner.emplace(rows.column_text(2),
                  "job " + std::to_string(rows.column_int(0)) + " " + rows.column_text(1));
  }
  audit.referenced = static_cast<std::int64_t>(owner.size());
  for (const auto& [sha256, who] : owner) {
    const std::string path = checkpoint_file_path(db, sha256);
    if (!file_exists(path)) {
      audit.missing.push_back(who + ": " + path);
    } else if (sha256_file_hex(path) != sha256) {
      audit.corrupt.push_back(who + ": " + path);
    }
  }
  const std::filesystem::path folder(checkpoint_folder(db));
  std::error_code error;
  if (!std::filesystem::is_directory(folder, error)) return audit;
  std::set<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    const std::string named = named_sha256(entry.path());
    if (named.empty() || owner.count(named) == 0) files.insert(entry.path().string());
  }
  audit.orphans.assign(files.begin(), files.end());
  return audit;
}

std::size_t remove_checkpoint_orphans(const CheckpointFileAudit& audit) {
  std::size_t removed = 0;
  for (const std::string& path : audit.orphans) {
    std::error_code error;
    if (std::filesystem::remove(path, error)) ++removed;
  }
  return removed;
}

}  // namespace popsweep::storage
