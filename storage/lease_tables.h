// The coordinator lease row (migration 8): which coordinator may write this
// database, and the heartbeat counter it increments while alive. The rules
// (who may take it, when it has expired) are orchestrator/coordinator_lease.h;
// these are only its reads and writes. Callers wrap writes in a Transaction
// (BEGIN IMMEDIATE), so a read and the write that depends on it are atomic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace popsweep::storage {

class Database;

struct LeaseRow {
  std::string holder;  // a token unique to one coordinator run
  std::string host;
  std::string boot_id;  // the kernel's boot id: same host name and boot id is the same running system
  std::int64_t pid = 0;
  std::int64_t process_start = 0;  // the holder's start in clock ticks since boot (/proc/PID/stat)
  std::int64_t started_at = 0;     // Unix seconds on the holder's clock, for display only
  std::int64_t heartbeat = 0;      // incremented at every renewal
  std::int64_t renewed_at = 0;     // Unix seconds on the holder's clock, for display only
  std::int64_t heartbeat_ms = 0;   // the holder's renewal interval
  std::int64_t lifetime_ms = 0;    // how long its heartbeat may stand still before others take over
};

std::optional<LeaseRow> read_lease(Database& db);
// Replaces whatever row there was.
void write_lease(Database& db, const LeaseRow& row);
// Increments the heartbeat when `holder` holds the lease; false when it does not.
bool renew_lease(Database& db, const std::string& holder, std::int64_t now);
// Deletes the row when `holder` holds it; false when it did not.
bool release_lease(Database& db, const std::string& holder);

}  // namespace popsweep::storage
