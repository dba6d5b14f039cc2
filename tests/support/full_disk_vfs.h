// A disk that fills up on request, for disk-full tests: an SQLite VFS that
// forwards everything to the default one but fails writes with SQLITE_FULL
// (what SQLite reports for ENOSPC) once a byte budget is spent. It wraps the
// real I/O path, so database files, the WAL and its index see it alike.
#pragma once

#include <cstdint>

struct sqlite3_vfs;

namespace popsweep::testing {

// While one lives it is SQLite's default VFS, so storage::Database::open uses
// it; close the connections opened through it before it goes. One at a time.
class FullDiskVfs {
 public:
  FullDiskVfs();
  ~FullDiskVfs();
  FullDiskVfs(const FullDiskVfs&) = delete;
  FullDiskVfs& operator=(const FullDiskVfs&) = delete;

  // Writes after `bytes` more bytes fail with SQLITE_FULL.
  void fill_after(std::int64_t bytes);
  // Space again: no write fails.
  void make_room();
  // Bytes written through this VFS so far.
  std::int64_t bytes_written() const;
  // Writes refused so far.
  std::int64_t writes_refused() const;

 private:
  sqlite3_vfs* real_ = nullptr;
};

}  // namespace popsweep::testing
