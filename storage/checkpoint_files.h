// Large checkpoints live beside the database, not in it (issue 20): a
// fine-tuned model holds the backbone's unfrozen blocks (about 6.9 MB for
// EfficientNet-B0's last two; a resume state three times that, with Adam's
// moments), and SQLite would copy such blobs through its page cache and
// journal on every write. Checkpoints larger than kCheckpointFileThreshold
// bytes (the best models and the resume states alike: one store) go to
//
//   <database>.checkpoints/<sha256>.pt
//
// named by their SHA-256, which the checkpoints row keeps (file_sha256) in
// place of the bytes. Only the coordinator writes here (workers send the
// bytes in their messages as before and never open the database's folder):
// to a temporary name, fsynced, renamed, and the folder fsynced, all before
// the row that references the file commits, so a crash leaves at worst an
// unreferenced file (an orphan, which `popsweep doctor --repair` removes),
// never a row without its file. Readers verify the checksum.
//
// In-memory databases (tests) keep every checkpoint in the row.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace popsweep::storage {

class Database;

inline constexpr std::size_t kCheckpointFileThreshold = 1 << 20;  // 1 MiB; heads alone are under 200 KB

// Whether a checkpoint of `bytes` bytes is kept in a file for this database.
bool keeps_checkpoint_in_file(const Database& db, std::size_t bytes);
std::string checkpoint_folder(const Database& db);
std::string checkpoint_file_path(const Database& db, const std::string& sha256);

// Writes `bytes` durably (see above) and returns their SHA-256 (hex). An
// existing file with the right content is kept; a corrupt one is replaced.
std::string store_checkpoint_file(const Database& db, const std::string& bytes);

// The file's bytes, checked against `sha256`: an InputError names the file
// when it is missing or its content does not match.
std::string read_checkpoint_file(const Database& db, const std::string& sha256);

struct CheckpointFileAudit {
  std::int64_t referenced = 0;       // distinct files the checkpoints rows name
  std::vector<std::string> missing;  // referenced, absent: "job 12 best: <path>"
  std::vector<std::string> corrupt;  // referenced, content does not match its name
  std::vector<std::string> orphans;  // files in the folder no row references (paths)
};

// Reads every referenced file (checksums) and lists the folder.
CheckpointFileAudit audit_checkpoint_files(Database& db);

// Removes the orphans an audit found; returns how many were removed.
std::size_t remove_checkpoint_orphans(const CheckpointFileAudit& audit);

}  // namespace popsweep::storage
