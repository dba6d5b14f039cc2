#include "orchestrator/coordinator_lease.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <random>
#include <sstream>
#include <utility>
#include <vector>

#include "common/time_format.h"

namespace popsweep::orchestrator {
namespace {

using std::chrono::milliseconds;

milliseconds seconds_from_environment(const char* name, milliseconds fallback) {
  const char* text = std::getenv(name);
  if (!text || !*text) return fallback;
  char* end = nullptr;
  const double seconds = std::strtod(text, &end);
  if (*end != '\0' || !(seconds > 0) || seconds > 86400) {
    throw ConfigError(std::string(name) + "=" + text + ": expected a number of seconds above 0");
  }
  return milliseconds(std::max<std::int64_t>(1, static_cast<std::int64_t>(seconds * 1000)));
}

std::string read_first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// The fields of /proc/PID/stat after the command name, which may hold spaces
// and parentheses: [0] is the state (field 3), [19] the start time (field 22).
std::vector<std::string> proc_stat_fields(std::int64_t pid) {
  const std::string stat = read_first_line("/proc/" + std::to_string(pid) + "/stat");
  const size_t close = stat.rfind(')');
  std::vector<std::string> fields;
  if (close == std::string::npos) return fields;
  std::istringstream rest(stat.substr(close + 1));
  for (std::string field; rest >> field;) fields.push_back(field);
  return fields;
}

bool same_host(const storage::LeaseRow& row, const LeaseIdentity& me) {
  return !me.boot_id.empty() && row.host == me.host && row.boot_id == me.boot_id;
}

std::string holder_token(const LeaseIdentity& me) {
  std::random_device random;
  return fmt::format("{}:{}:{}:{:08x}{:08x}", me.host, me.pid, me.process_start, random(), random());
}

double seconds_of(LeaseClock::duration duration) { return std::chrono::duration<double>(duration).count(); }

// The holder as first seen with its current heartbeat, and whether its
// heartbeat has been seen to change (then it is alive).
struct Sighting {
  std::string holder;
  std::int64_t heartbeat = 0;
  LeaseClock::time_point since;
  bool moved = false;
};

void update_sighting(std::optional<Sighting>& sighting, const storage::LeaseRow& row,
                     LeaseClock::time_point now) {
  if (!sighting || sighting->holder != row.holder) {
    sighting = Sighting{row.holder, row.heartbeat, now, false};
  } else if (sighting->heartbeat != row.heartbeat) {
    sighting->heartbeat = row.heartbeat;
    sighting->since = now;
    sighting->moved = true;
  }
}

milliseconds expiry_of(const storage::LeaseRow& row, const LeaseTiming& timing) {
  return std::max(timing.lifetime, milliseconds(row.lifetime_ms));
}

milliseconds poll_interval_of(const storage::LeaseRow& row) {
  return std::clamp(milliseconds(row.heartbeat_ms / 4), milliseconds(20), milliseconds(1000));
}

// Writes `mine` if the lease is still as last read (`seen`: absent, or the
// same holder and heartbeat), in one BEGIN IMMEDIATE transaction.
bool take_if_unchanged(storage::Database& db, const std::optional<storage::LeaseRow>& seen,
                       const storage::LeaseRow& mine) {
  storage::Transaction transaction(db);
  const std::optional<storage::LeaseRow> now = storage::read_lease(db);
  const bool unchanged =
      seen ? now && now->holder == seen->holder && now->heartbeat == seen->heartbeat : !now;
  if (!unchanged) return false;
  storage::write_lease(db, mine);
  transaction.commit();
  return true;
}

storage::LeaseRow row_for(const LeaseIdentity& me, const LeaseTiming& timing, std::int64_t unix_now) {
  storage::LeaseRow row;
  row.holder = holder_token(me);
  row.host = me.host;
  row.boot_id = me.boot_id;
  row.pid = me.pid;
  row.process_start = me.process_start;
  row.started_at = me.started_at;
  row.renewed_at = unix_now;
  row.heartbeat_ms = timing.heartbeat.count();
  row.lifetime_ms = timing.lifetime.count();
  return row;
}

// Whether the lease may be taken now (and why), else whether its holder is
// known to be alive; neither means "keep watching".
struct Judgement {
  std::string take_because;
  std::string alive_because;  // empty unless the holder is known to be alive
};

Judgement judge(const std::optional<storage::LeaseRow>& held, const std::optional<Sighting>& sighting,
                const LeaseIdentity& me, const LeaseTiming& timing, const LeaseWorld& world,
                LeaseClock::time_point now) {
  Judgement judgement;
  if (!held) {
    judgement.take_because = "free";
  } else if (same_host(*held, me)) {
    if (world.process_running(held->pid, held->process_start)) {
      judgement.alive_because = "it is running on this host";
    } else {
      judgement.take_because =
          fmt::format("taken over from pid {} on this host, which has exited", held->pid);
    }
  } else {
    // Alive while it is seen beating; one that stopped is only judged gone
    // once it has stood still for a whole lifetime.
    const LeaseClock::duration still = now - sighting->since;
    if (sighting->moved && still <= 3 * milliseconds(held->heartbeat_ms)) {
      judgement.alive_because = "it is alive: its heartbeat is changing";
    }
    if (still >= expiry_of(*held, timing)) {
      judgement.take_because = fmt::format("taken over from {}: its heartbeat stood still for {:.1f} s",
                                           describe_holder(*held), seconds_of(still));
    }
  }
  return judgement;
}

std::string refusal(const std::string& path, const storage::LeaseRow& held, milliseconds expiry,
                    const std::string& why) {
  return fmt::format(
      "{} is in use by another coordinator ({}): {}. One coordinator per database: wait for it to finish or "
      "stop "
      "it; a coordinator that died frees the database at once on its own host, elsewhere once its heartbeat "
      "has "
      "stood still for {:.0f} s (`popsweep status --db {}` shows the holder)",
      path, describe_holder(held), why, seconds_of(expiry), path);
}

}  // namespace

LeaseTiming lease_timing_from_environment() {
  LeaseTiming timing;
  timing.heartbeat = seconds_from_environment("POPSWEEP_LEASE_HEARTBEAT_SECONDS", timing.heartbeat);
  timing.lifetime = seconds_from_environment("POPSWEEP_LEASE_LIFETIME_SECONDS", timing.lifetime);
  if (timing.lifetime < 3 * timing.heartbeat) {
    throw ConfigError(
        "the lease lifetime must be at least three heartbeat intervals (POPSWEEP_LEASE_*_SECONDS)");
  }
  return timing;
}

LeaseIdentity this_process_identity() {
  LeaseIdentity me;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  me.host = host;
  me.pid = ::getpid();
  const std::vector<std::string> fields = proc_stat_fields(me.pid);
  if (fields.size() > 19) {
    me.process_start = std::strtoll(fields[19].c_str(), nullptr, 10);
    me.boot_id = read_first_line("/proc/sys/kernel/random/boot_id");
  }
  me.started_at = static_cast<std::int64_t>(std::time(nullptr));
  return me;
}

bool process_running(std::int64_t pid, std::int64_t process_start) {
  const std::vector<std::string> fields = proc_stat_fields(pid);
  if (fields.size() <= 19 || fields[0] == "Z" || fields[0] == "X") return false;
  return std::strtoll(fields[19].c_str(), nullptr, 10) == process_start;
}

LeaseWorld real_lease_world(std::function<void(const std::string&)> log) {
  LeaseWorld world;
  world.now = [] { return LeaseClock::now(); };
  world.sleep = [](milliseconds duration) { std::this_thread::sleep_for(duration); };
  world.unix_now = [] { return static_cast<std::int64_t>(std::time(nullptr)); };
  world.process_running = process_running;
  world.log = std::move(log);
  return world;
}

WhenHeld when_held_from_environment() {
  const char* restarts = std::getenv("SLURM_RESTART_COUNT");
  return restarts && std::atoi(restarts) > 0 ? WhenHeld::WaitForRelease : WhenHeld::Refuse;
}

std::string describe_holder(const storage::LeaseRow& row) {
  return fmt::format("host {}, pid {}, started {}", row.host, row.pid, format_iso8601(row.started_at));
}

storage::LeaseRow acquire_lease(storage::Database& db, const LeaseIdentity& me, const LeaseTiming& timing,
                                WhenHeld when_held, const LeaseWorld& world) {
  const storage::LeaseRow mine = row_for(me, timing, world.unix_now());
  const LeaseClock::time_point began = world.now();
  std::optional<Sighting> sighting;
  std::string announced;  // the holder we last said we wait for
  for (;;) {
    const std::optional<storage::LeaseRow> held = storage::read_lease(db);
    const LeaseClock::time_point now = world.now();
    if (held) update_sighting(sighting, *held, now);
    const Judgement judgement = judge(held, sighting, me, timing, world, now);
    if (!judgement.take_because.empty()) {
      if (take_if_unchanged(db, held, mine)) {
        if (held) world.log("coordinator lease of " + db.path() + " " + judgement.take_because);
        return mine;
      }
      sighting.reset();  // someone else wrote the row meanwhile: judge it afresh
      continue;
    }
    const milliseconds expiry = expiry_of(*held, timing);
    const bool alive = !judgement.alive_because.empty();
    if (alive && when_held == WhenHeld::Refuse) {
      throw LeaseHeldError(refusal(db.path(), *held, expiry, judgement.alive_because));
    }
    if (alive && now - began >= timing.lifetime) {
      throw LeaseHeldError(refusal(db.path(), *held, expiry,
                                   fmt::format("{}, and this Slurm requeue waited {:.0f} s for it to end",
                                               judgement.alive_because, seconds_of(now - began))));
    }
    if (announced != held->holder) {
      announced = held->holder;
      world.log(
          fmt::format("{} is held by {}: {}", db.path(), describe_holder(*held),
                      when_held == WhenHeld::WaitForRelease
                          ? fmt::format("this is a Slurm requeue, waiting up to {:.0f} s for it to end",
                                        seconds_of(timing.lifetime))
                          : fmt::format("watching its heartbeat (taken over if it stands still for {:.0f} s)",
                                        seconds_of(expiry))));
    }
    world.sleep(poll_interval_of(*held));
  }
}

std::string describe_lease(storage::Database& db, const LeaseIdentity& me, const LeaseWorld& world,
                           milliseconds longest_watch) {
  std::optional<storage::LeaseRow> held = storage::read_lease(db);
  if (!held) return "coordinator: none\n";
  std::string text = "coordinator: " + describe_holder(*held);
  if (same_host(*held, me)) {
    // One host, one clock: its renewal time can be read without watching.
    if (!world.process_running(held->pid, held->process_start)) {
      return text + "; that process has exited (the next coordinator takes over at once)\n";
    }
    return text + fmt::format("; running on this host, last heartbeat {} s ago\n",
                              std::max<std::int64_t>(0, world.unix_now() - held->renewed_at));
  }
  const milliseconds watch = std::min(longest_watch, milliseconds(held->heartbeat_ms) + milliseconds(1000));
  const LeaseClock::time_point began = world.now();
  const storage::LeaseRow first = *held;
  while (held && held->holder == first.holder && held->heartbeat == first.heartbeat &&
         world.now() - began < watch) {
    world.sleep(std::min(poll_interval_of(first), milliseconds(100)));
    held = storage::read_lease(db);
  }
  const double watched = seconds_of(world.now() - began);
  if (!held) return text + fmt::format("; released it while watched ({:.1f} s)\n", watched);
  if (held->holder != first.holder) return "coordinator: " + describe_holder(*held) + " (just took over)\n";
  if (held->heartbeat != first.heartbeat) {
    return text + fmt::format("; last heartbeat just now (it changed after {:.1f} s of watching)\n", watched);
  }
  return text +
         fmt::format(
             "; no heartbeat in the {:.1f} s watched (it renews every {:.0f} s; another coordinator takes "
             "over once it stands still for {:.0f} s)\n",
             watched, first.heartbeat_ms / 1000.0, first.lifetime_ms / 1000.0);
}

// ------------------------------------------------------------ CoordinatorLease

CoordinatorLease::CoordinatorLease(const std::string& database_path, const LeaseIdentity& me,
                                   const LeaseTiming& timing, WhenHeld when_held, LeaseWorld world,
                                   OnLost on_lost)
    : db_(storage::Database::open(database_path)),
      timing_(timing),
      world_(std::move(world)),
      on_lost_(std::move(on_lost)) {
  row_ = acquire_lease(db_, me, timing_, when_held, world_);
  thread_ = std::thread([this] { heartbeat_loop(); });
}

CoordinatorLease::~CoordinatorLease() {
  try {
    release();
  } catch (const std::exception& error) {
    spdlog::warn("could not release the coordinator lease (it expires on its own): {}", error.what());
  }
}

void CoordinatorLease::release() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (released_) return;
    released_ = stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  storage::Transaction transaction(db_);
  storage::release_lease(db_, row_.holder);
  transaction.commit();
}

std::string CoordinatorLease::renew_once(LeaseClock::time_point& last_renewal) {
  try {
    storage::Transaction transaction(db_);
    if (storage::renew_lease(db_, row_.holder, world_.unix_now())) {
      transaction.commit();
      last_renewal = world_.now();
      return {};
    }
    const std::optional<storage::LeaseRow> now = storage::read_lease(db_);
    return now ? "the lease of " + db_.path() + " was taken by another coordinator (" +
                     describe_holder(*now) + ")"
               : "the lease row of " + db_.path() + " was deleted by someone else";
  } catch (const std::exception& error) {
    const LeaseClock::duration stale = world_.now() - last_renewal;
    if (stale < timing_.lifetime) {
      spdlog::warn("could not renew the coordinator lease (retrying): {}", error.what());
      return {};
    }
    return fmt::format(
        "could not renew the lease of {} for {:.0f} s, so another coordinator may have taken it ({})",
        db_.path(), seconds_of(stale), error.what());
  }
}

void CoordinatorLease::heartbeat_loop() {
  LeaseClock::time_point last_renewal = world_.now();
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_for(lock, timing_.heartbeat, [this] { return stopping_; })) {
    lock.unlock();
    const std::string lost = renew_once(last_renewal);
    if (!lost.empty()) {
      on_lost_(lost);
      return;
    }
    lock.lock();
  }
}

std::unique_ptr<CoordinatorLease> hold_coordinator_lease(const std::string& database_path,
                                                         std::ostream& out) {
  const LeaseTiming timing = lease_timing_from_environment();
  LeaseWorld world = real_lease_world([&out](const std::string& line) { out << line << "\n" << std::flush; });
  auto lease = std::make_unique<CoordinatorLease>(
      database_path, this_process_identity(), timing, when_held_from_environment(), std::move(world),
      [](const std::string& why) {
        // Any write from here on would race the coordinator that owns the
        // database now; ending like a kill -9 leaves its tables consistent,
        // and it requeues what this one was running.
        std::fflush(stdout);
        std::fprintf(stderr,
                     "popsweep: error: this coordinator lost its lease: %s; it stops at once (status %d)\n",
                     why.c_str(), kLostLeaseExitStatus);
        std::_Exit(kLostLeaseExitStatus);
      });
  return lease;
}

}  // namespace popsweep::orchestrator
