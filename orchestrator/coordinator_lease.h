// One coordinator per database. A coordinator (`popsweep run`, `demo`, rank 0
// under MPI) holds the database's lease row (storage/lease_tables.h) for as
// long as it runs, and increments the row's heartbeat counter every few
// seconds on a thread and connection of its own. Another coordinator that
// finds the lease held is refused, naming the holder, unless the holder is
// gone:
//   - on the same host (same host name and kernel boot id), a holder whose
//     process has exited is gone at once;
//   - elsewhere, a holder is gone when its heartbeat has not changed for the
//     lease's lifetime, as timed by the one watching: clocks of two hosts are
//     never compared, so a skewed clock cannot steal a lease.
// A Slurm requeue (SLURM_RESTART_COUNT > 0) whose old allocation is still
// ending waits up to a lifetime for the lease instead of being refused.
// Acquiring and renewing run in BEGIN IMMEDIATE transactions, so the lease
// works wherever SQLite's own locking does, network file systems included
// (where flock alone would not). docs/ORCHESTRATOR.md has the whole design.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <thread>

#include "common/error.h"
#include "storage/database.h"
#include "storage/lease_tables.h"

namespace popsweep::orchestrator {

using LeaseClock = std::chrono::steady_clock;

struct LeaseTiming {
  std::chrono::milliseconds heartbeat{5000};
  std::chrono::milliseconds lifetime{90000};
};

// The defaults, or for tests only POPSWEEP_LEASE_HEARTBEAT_SECONDS and
// POPSWEEP_LEASE_LIFETIME_SECONDS (seconds, fractions allowed).
LeaseTiming lease_timing_from_environment();

// Who a process is, as a lease row names it.
struct LeaseIdentity {
  std::string host;
  std::string boot_id;  // empty where /proc does not say: then no same-host shortcut
  std::int64_t pid = 0;
  std::int64_t process_start = 0;
  std::int64_t started_at = 0;
};

LeaseIdentity this_process_identity();

// Whether the process `pid`, started at `process_start` (clock ticks since
// boot), still runs on this host. A zombie does not count.
bool process_running(std::int64_t pid, std::int64_t process_start);

// What watching a lease needs from the world; tests pass a fake clock.
struct LeaseWorld {
  std::function<LeaseClock::time_point()> now;
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<std::int64_t()> unix_now;  // written in the row for people to read
  std::function<bool(std::int64_t pid, std::int64_t process_start)> process_running;
  std::function<void(const std::string&)> log;
};

LeaseWorld real_lease_world(std::function<void(const std::string&)> log);

enum class WhenHeld { Refuse, WaitForRelease };

// WaitForRelease for a Slurm requeue (SLURM_RESTART_COUNT > 0), else Refuse.
WhenHeld when_held_from_environment();

// The database is in use by a coordinator that is alive.
class LeaseHeldError : public Error {
 public:
  explicit LeaseHeldError(const std::string& message) : Error(message) {}
};

// "host H, pid P, started T".
std::string describe_holder(const storage::LeaseRow& row);

// Takes the lease of `db` for `me`: at once when it is free or its holder is
// gone, after watching when it must be judged, or throws LeaseHeldError
// naming the holder. Returns the row written.
storage::LeaseRow acquire_lease(storage::Database& db, const LeaseIdentity& me, const LeaseTiming& timing,
                                WhenHeld when_held, const LeaseWorld& world);

// For `popsweep status`: who holds the lease and how old its heartbeat is,
// or "none". A holder on this host is checked in /proc and its renewal time
// read on the one clock; one elsewhere is watched for up to one of its
// heartbeat intervals (at most `longest_watch`). Reads only.
std::string describe_lease(storage::Database& db, const LeaseIdentity& me, const LeaseWorld& world,
                           std::chrono::milliseconds longest_watch);

// A held lease: acquired on construction, renewed on a thread and connection
// of its own, released by release() or the destructor. When a renewal finds
// the lease taken by someone else, or no renewal has succeeded for a whole
// lifetime (so someone else may have taken it), `on_lost` is called on the
// heartbeat thread with the reason, and the heartbeat stops.
class CoordinatorLease {
 public:
  using OnLost = std::function<void(const std::string& why)>;

  CoordinatorLease(const std::string& database_path, const LeaseIdentity& me, const LeaseTiming& timing,
                   WhenHeld when_held, LeaseWorld world, OnLost on_lost);
  ~CoordinatorLease();
  CoordinatorLease(const CoordinatorLease&) = delete;
  CoordinatorLease& operator=(const CoordinatorLease&) = delete;

  // Stops the heartbeat and deletes the row if it is still ours; once.
  void release();
  const storage::LeaseRow& row() const { return row_; }

 private:
  void heartbeat_loop();
  std::string renew_once(LeaseClock::time_point& last_renewal);

  storage::Database db_;
  LeaseTiming timing_;
  LeaseWorld world_;
  OnLost on_lost_;
  storage::LeaseRow row_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool released_ = false;
  std::thread thread_;
};

// Exit status of a coordinator that lost its lease.
constexpr int kLostLeaseExitStatus = 5;

// The lease a sweep's coordinator holds, with the timing and requeue rule of
// the environment. Losing it ends the process at once with
// kLostLeaseExitStatus and a line saying why: from then on the database
// belongs to another coordinator, and anything this one wrote would race it.
std::unique_ptr<CoordinatorLease> hold_coordinator_lease(const std::string& database_path, std::ostream& out);

}  // namespace popsweep::orchestrator
