// SQLite's WAL mode needs shared memory and working POSIX locks, which NFS,
// Lustre, GPFS, CIFS and their kin do not reliably provide: a database there
// can hang or be corrupted when two processes touch it. popsweep detects such
// a file system when it opens a database for writing and falls back to the
// rollback journal (slower, but safe with one writer), warning the user to
// prefer node-local disk. See docs/RELIABILITY.md.
#pragma once

#include <optional>
#include <string>

namespace popsweep::storage {

// The name of the network or cluster file system holding `path`'s folder
// ("nfs", "lustre", "gpfs", ...), or nullopt for a local one.
std::optional<std::string> network_filesystem_of(const std::string& path);

// The same decision from a statfs f_type value (exposed for tests).
std::optional<std::string> network_filesystem_name(long filesystem_magic);

}  // namespace popsweep::storage
