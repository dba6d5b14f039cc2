#include "tests/support/full_disk_vfs.h"

#include <sqlite3.h>

#include <atomic>
#include <stdexcept>

namespace popsweep::testing {
namespace {

constexpr std::int64_t kUnlimited = -1;

// SQLite calls the VFS through plain function pointers, so its state lives
// here; FullDiskVfs allows one instance at a time.
std::atomic<std::int64_t> budget{kUnlimited};
std::atomic<std::int64_t> written{0};
std::atomic<std::int64_t> refused{0};
sqlite3_vfs* real_vfs = nullptr;
sqlite3_vfs shim_vfs;
bool active = false;

// Our sqlite3_file, with the real VFS's file right behind it.
struct ShimFile {
  sqlite3_file base;
  sqlite3_file* real;
};

sqlite3_file* real_of(sqlite3_file* file) { return reinterpret_cast<ShimFile*>(file)->real; }
const sqlite3_io_methods& real_methods(sqlite3_file* file) { return *real_of(file)->pMethods; }

// Takes `amount` bytes from the budget; false when they do not fit.
bool take_space(std::int64_t amount) {
  std::int64_t left = budget.load();
  while (left != kUnlimited) {
    if (amount > left) return false;
    if (budget.compare_exchange_weak(left, left - amount)) break;
  }
  return true;
}

int shim_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  if (!take_space(amount)) {
    ++refused;
    return SQLITE_FULL;
  }
  written += amount;
  return real_methods(file).xWrite(real_of(file), data, amount, offset);
}

int shim_close(sqlite3_file* file) { return real_methods(file).xClose(real_of(file)); }
int shim_read(sqlite3_file* file, void* data, int amount, sqlite3_int64 offset) {
  return real_methods(file).xRead(real_of(file), data, amount, offset);
}
int shim_truncate(sqlite3_file* file, sqlite3_int64 size) {
  return real_methods(file).xTruncate(real_of(file), size);
}
int shim_sync(sqlite3_file* file, int flags) { return real_methods(file).xSync(real_of(file), flags); }
int shim_file_size(sqlite3_file* file, sqlite3_int64* size) {
  return real_methods(file).xFileSize(real_of(file), size);
}
int shim_lock(sqlite3_file* file, int level) { return real_methods(file).xLock(real_of(file), level); }
int shim_unlock(sqlite3_file* file, int level) { return real_methods(file).xUnlock(real_of(file), level); }
int shim_check_reserved(sqlite3_file* file, int* out) {
  return real_methods(file).xCheckReservedLock(real_of(file), out);
}
int shim_file_control(sqlite3_file* file, int op, void* argument) {
  return real_methods(file).xFileControl(real_of(file), op, argument);
}
int shim_sector_size(sqlite3_file* file) { return real_methods(file).xSectorSize(real_of(file)); }
int shim_device(sqlite3_file* file) { return real_methods(file).xDeviceCharacteristics(real_of(file)); }
// The WAL index lives in shared memory, not on the disk that is full.
int shim_shm_map(sqlite3_file* file, int page, int size, int extend, void volatile** out) {
  return real_methods(file).xShmMap(real_of(file), page, size, extend, out);
}
int shim_shm_lock(sqlite3_file* file, int offset, int n, int flags) {
  return real_methods(file).xShmLock(real_of(file), offset, n, flags);
}
void shim_shm_barrier(sqlite3_file* file) { real_methods(file).xShmBarrier(real_of(file)); }
int shim_shm_unmap(sqlite3_file* file, int delete_flag) {
  return real_methods(file).xShmUnmap(real_of(file), delete_flag);
}
int shim_fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
  if (real_methods(file).iVersion < 3) {
    *out = nullptr;
    return SQLITE_OK;
  }
  return real_methods(file).xFetch(real_of(file), offset, amount, out);
}
int shim_unfetch(sqlite3_file* file, sqlite3_int64 offset, void* pointer) {
  if (real_methods(file).iVersion < 3) return SQLITE_OK;
  return real_methods(file).xUnfetch(real_of(file), offset, pointer);
}

const sqlite3_io_methods shim_methods = {3,
                                         shim_close,
                                         shim_read,
                                         shim_write,
                                         shim_truncate,
                                         shim_sync,
                                         shim_file_size,
                                         shim_lock,
                                         shim_unlock,
                                         shim_check_reserved,
                                         shim_file_control,
                                         shim_sector_size,
                                         shim_device,
                                         shim_shm_map,
                                         shim_shm_lock,
                                         shim_shm_barrier,
                                         shim_shm_unmap,
                                         shim_fetch,
                                         shim_unfetch};

int shim_open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  auto* shim = reinterpret_cast<ShimFile*>(file);
  shim->real = reinterpret_cast<sqlite3_file*>(shim + 1);
  const int code = real_vfs->xOpen(real_vfs, name, shim->real, flags, out_flags);
  // SQLite calls xClose whenever pMethods is set, even after a failed open.
  shim->base.pMethods = code == SQLITE_OK && shim->real->pMethods ? &shim_methods : nullptr;
  return code;
}

}  // namespace

FullDiskVfs::FullDiskVfs() {
  if (active) throw std::logic_error("FullDiskVfs: one at a time");
  real_ = sqlite3_vfs_find(nullptr);
  if (!real_) throw std::runtime_error("FullDiskVfs: SQLite has no default VFS");
  real_vfs = real_;
  shim_vfs = *real_;  // the calls that do not touch files go straight through
  shim_vfs.zName = "popsweep-full-disk";
  shim_vfs.szOsFile = static_cast<int>(sizeof(ShimFile)) + real_->szOsFile;
  shim_vfs.pNext = nullptr;
  shim_vfs.xOpen = shim_open;
  budget = kUnlimited;
  written = 0;
  refused = 0;
  if (sqlite3_vfs_register(&shim_vfs, 1) != SQLITE_OK)
    throw std::runtime_error("FullDiskVfs: cannot register");
  active = true;
}

FullDiskVfs::~FullDiskVfs() {
  sqlite3_vfs_unregister(&shim_vfs);
  sqlite3_vfs_register(real_, 1);  // the default again
  active = false;
}

void FullDiskVfs::fill_after(std::int64_t bytes) { budget = bytes < 0 ? 0 : bytes; }

void FullDiskVfs::make_room() { budget = kUnlimited; }

std::int64_t FullDiskVfs::bytes_written() const { return written.load(); }

std::int64_t FullDiskVfs::writes_refused() const { return refused.load(); }

}  // namespace popsweep::testing
