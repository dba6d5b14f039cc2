// One coordinator per database (issue 24): the lease rules against a fake
// clock, with the other coordinator played by a second connection that acts
// as the fake time passes; then the heartbeat thread in real (short) time.
#include "orchestrator/coordinator_lease.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <future>

#include "storage/database.h"
#include "storage/lease_tables.h"
#include "tests/support/temp_dir.h"

namespace popsweep::orchestrator {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

constexpr LeaseTiming kTiming{milliseconds(5000), milliseconds(90000)};

LeaseIdentity me() { return LeaseIdentity{"here", "boot-1", 100, 5, 1'800'000'000}; }

// A lease row as another coordinator would have written it. Its clock is
// decades off on purpose: only its heartbeat counter may matter.
storage::LeaseRow other_holder(const std::string& host, const std::string& boot_id) {
  storage::LeaseRow row;
  row.holder = "other";
  row.host = host;
  row.boot_id = boot_id;
  row.pid = 4242;
  row.process_start = 77;
  row.started_at = 1'000'000'000;  // 2001-09-09T01:46:40Z
  row.heartbeat = 1;
  row.renewed_at = 4'000'000'000;
  row.heartbeat_ms = 5000;
  row.lifetime_ms = 90000;
  return row;
}

// Fake time: sleeping advances the clock and lets the other side act.
struct FakeWorld {
  LeaseClock::time_point clock{};
  int sleeps = 0;
  bool holder_running = true;
  std::vector<std::string> logs;
  std::function<void(double seconds)> on_sleep;

  double elapsed() const { return std::chrono::duration<double>(clock - LeaseClock::time_point{}).count(); }
  LeaseWorld world() {
    LeaseWorld world;
    world.now = [this] { return clock; };
    world.sleep = [this](milliseconds duration) {
      clock += duration;
      ++sleeps;
      if (on_sleep) on_sleep(elapsed());
    };
    world.unix_now = [] { return std::int64_t{1'800'000'100}; };
    world.process_running = [this](std::int64_t, std::int64_t) { return holder_running; };
    world.log = [this](const std::string& line) { logs.push_back(line); };
    return world;
  }
};

class CoordinatorLeaseRules : public ::testing::Test {
 protected:
  testing::TempDir dir;
  storage::Database db = storage::Database::open(dir.file("sweep.db"));
  storage::Database other =
      storage::Database::open(dir.file("sweep.db"));  // the other coordinator's connection
  FakeWorld fake;

  void forge(const storage::LeaseRow& row) { storage::write_lease(other, row); }
  void beat_every_5_s() {
    fake.on_sleep = [this, next = 5.0](double now) mutable {
      for (; now >= next; next += 5) other.execute("UPDATE coordinator_lease SET heartbeat = heartbeat + 1");
    };
  }
  std::string refusal(WhenHeld when_held) {
    try {
      acquire_lease(db, me(), kTiming, when_held, fake.world());
    } catch (const LeaseHeldError& error) {
      return error.what();
    }
    ADD_FAILURE() << "the lease was taken";
    return {};
  }
};

TEST_F(CoordinatorLeaseRules, AFreeLeaseIsTakenAtOnce) {
  const storage::LeaseRow mine = acquire_lease(db, me(), kTiming, WhenHeld::Refuse, fake.world());
  EXPECT_EQ(fake.sleeps, 0);
  const std::optional<storage::LeaseRow> row = storage::read_lease(other);
  ASSERT_TRUE(row);
  EXPECT_EQ(row->holder, mine.holder);
  EXPECT_EQ(row->host, "here");
  EXPECT_EQ(row->pid, 100);
  EXPECT_EQ(row->heartbeat_ms, 5000);
  EXPECT_EQ(row->lifetime_ms, 90000);
}

TEST_F(CoordinatorLeaseRules, ARunningHolderOnThisHostIsRefusedAtOnceNamingHostPidAndStart) {
  forge(other_holder("here", "boot-1"));
  const std::string message = refusal(WhenHeld::Refuse);
  EXPECT_THAT(
      message,
      HasSubstr("in use by another coordinator (host here, pid 4242, started 2001-09-09T01:46:40Z): it is "
                "running on this host"));
  EXPECT_EQ(fake.sleeps, 0);
  EXPECT_EQ(storage::read_lease(other)->holder, "other");
}

TEST_F(CoordinatorLeaseRules, AnExitedHolderOnThisHostIsTakenOverAtOnce) {
  forge(other_holder("here", "boot-1"));
  fake.holder_running = false;
  const storage::LeaseRow mine = acquire_lease(db, me(), kTiming, WhenHeld::Refuse, fake.world());
  EXPECT_EQ(fake.sleeps, 0);
  EXPECT_EQ(storage::read_lease(other)->holder, mine.holder);
  ASSERT_EQ(fake.logs.size(), 1u);
  EXPECT_THAT(fake.logs[0], HasSubstr("taken over from pid 4242 on this host, which has exited"));
}

TEST_F(CoordinatorLeaseRules, AHostOfTheSameNameAfterARebootIsWatchedNotTrusted) {
  // Same host name, another boot: its pid means nothing here.
  forge(other_holder("here", "boot-0"));
  fake.holder_running = false;
  beat_every_5_s();
  EXPECT_THAT(refusal(WhenHeld::Refuse), HasSubstr("it is alive: its heartbeat is changing"));
  EXPECT_GT(fake.sleeps, 0);
}

TEST_F(CoordinatorLeaseRules, AHolderElsewhereWhoseHeartbeatChangesIsRefusedWithinOneInterval) {
  forge(other_holder("node7", "boot-9"));
  beat_every_5_s();
  EXPECT_THAT(refusal(WhenHeld::Refuse), HasSubstr("host node7, pid 4242"));
  EXPECT_LE(fake.elapsed(), 6.0);
  EXPECT_EQ(storage::read_lease(other)->holder, "other");
}

TEST_F(CoordinatorLeaseRules, AHolderElsewhereWhoseHeartbeatStandsStillIsTakenOverAfterTheLifetime) {
  forge(other_holder("node7", "boot-9"));
  const storage::LeaseRow mine = acquire_lease(db, me(), kTiming, WhenHeld::Refuse, fake.world());
  EXPECT_GE(fake.elapsed(), 90.0);
  EXPECT_LE(fake.elapsed(), 91.5);
  EXPECT_EQ(storage::read_lease(other)->holder, mine.holder);
  EXPECT_THAT(fake.logs.front(),
              HasSubstr("watching its heartbeat (taken over if it stands still for 90 s)"));
  EXPECT_THAT(fake.logs.back(), HasSubstr("its heartbeat stood still for 90"));
}

TEST_F(CoordinatorLeaseRules, TheLifetimeIsTimedFromTheLastChangeSeen) {
  // Alive for 40 s, then gone: taken 90 s after the last change, at 130 s.
  forge(other_holder("node7", "boot-9"));
  fake.on_sleep = [this, next = 5.0](double now) mutable {
    for (; now >= next && next <= 40; next += 5)
      other.execute("UPDATE coordinator_lease SET heartbeat = heartbeat + 1");
  };
  acquire_lease(db, me(), kTiming, WhenHeld::WaitForRelease, fake.world());
  EXPECT_GE(fake.elapsed(), 130.0);
  EXPECT_LE(fake.elapsed(), 131.5);
}

TEST_F(CoordinatorLeaseRules, TheHoldersLongerLifetimeIsRespected) {
  storage::LeaseRow row = other_holder("node7", "boot-9");
  row.lifetime_ms = 300000;
  forge(row);
  acquire_lease(db, me(), kTiming, WhenHeld::Refuse, fake.world());
  EXPECT_GE(fake.elapsed(), 300.0);
}

TEST_F(CoordinatorLeaseRules, ASlurmRequeueWaitsForTheOldAllocationToRelease) {
  forge(other_holder("here", "boot-1"));
  fake.on_sleep = [this](double now) {
    if (now >= 20) storage::release_lease(other, "other");
  };
  const storage::LeaseRow mine = acquire_lease(db, me(), kTiming, WhenHeld::WaitForRelease, fake.world());
  EXPECT_GE(fake.elapsed(), 20.0);
  EXPECT_LE(fake.elapsed(), 22.0);
  EXPECT_EQ(storage::read_lease(other)->holder, mine.holder);
  EXPECT_THAT(fake.logs.front(), HasSubstr("this is a Slurm requeue, waiting up to 90 s for it to end"));
}

TEST_F(CoordinatorLeaseRules, ASlurmRequeueIsRefusedWhenTheHolderOutlivesTheLifetime) {
  forge(other_holder("node7", "boot-9"));
  beat_every_5_s();
  EXPECT_THAT(
      refusal(WhenHeld::WaitForRelease),
      HasSubstr("it is alive: its heartbeat is changing, and this Slurm requeue waited 90 s for it to end"));
  EXPECT_GE(fake.elapsed(), 90.0);
  EXPECT_LE(fake.elapsed(), 92.0);
}

TEST_F(CoordinatorLeaseRules, StatusSaysNoneWhenNobodyHoldsTheLease) {
  EXPECT_EQ(describe_lease(db, me(), fake.world(), milliseconds(10000)), "coordinator: none\n");
}

TEST_F(CoordinatorLeaseRules, StatusReportsTheHeartbeatAgeItSawByWatching) {
  forge(other_holder("node7", "boot-9"));
  fake.on_sleep = [this](double now) {
    if (now >= 2.0) other.execute("UPDATE coordinator_lease SET heartbeat = 2 WHERE heartbeat = 1");
  };
  EXPECT_EQ(
      describe_lease(db, me(), fake.world(), milliseconds(10000)),
      "coordinator: host node7, pid 4242, started 2001-09-09T01:46:40Z; last heartbeat just now (it changed "
      "after 2.0 s of watching)\n");
  fake.on_sleep = nullptr;
  fake.clock = {};
  EXPECT_THAT(
      describe_lease(db, me(), fake.world(), milliseconds(10000)),
      HasSubstr("; no heartbeat in the 6.0 s watched (it renews every 5 s; another coordinator takes over "
                "once it stands still for 90 s)"));
  EXPECT_EQ(storage::read_lease(other)->holder, "other");  // a reader never takes the lease
}

TEST_F(CoordinatorLeaseRules, StatusChecksAHolderOnThisHostWithoutWatching) {
  storage::LeaseRow row = other_holder("here", "boot-1");
  row.renewed_at = 1'800'000'097;  // this host's clock says now is ...100
  forge(row);
  EXPECT_EQ(describe_lease(db, me(), fake.world(), milliseconds(10000)),
            "coordinator: host here, pid 4242, started 2001-09-09T01:46:40Z; running on this host, last "
            "heartbeat 3 s "
            "ago\n");
  fake.holder_running = false;
  EXPECT_THAT(describe_lease(db, me(), fake.world(), milliseconds(10000)),
              HasSubstr("pid 4242, started 2001-09-09T01:46:40Z; that process has exited"));
  EXPECT_EQ(fake.sleeps, 0);
}

TEST(CoordinatorLeaseProcess, ThisProcessIsRunningAndAnotherStartTimeIsNot) {
  const LeaseIdentity self = this_process_identity();
  ASSERT_FALSE(self.boot_id.empty()) << "no /proc here";
  EXPECT_TRUE(process_running(self.pid, self.process_start));
  EXPECT_FALSE(process_running(self.pid, self.process_start + 1));  // a later process with a reused pid
  EXPECT_FALSE(process_running(0, 0));
}

TEST(CoordinatorLeaseTiming, EnvironmentOverridesAreForTestsAndChecked) {
  ::setenv("POPSWEEP_LEASE_HEARTBEAT_SECONDS", "0.5", 1);
  ::setenv("POPSWEEP_LEASE_LIFETIME_SECONDS", "3", 1);
  const LeaseTiming timing = lease_timing_from_environment();
  EXPECT_EQ(timing.heartbeat, milliseconds(500));
  EXPECT_EQ(timing.lifetime, milliseconds(3000));
  ::setenv("POPSWEEP_LEASE_LIFETIME_SECONDS", "1", 1);
  EXPECT_THROW(lease_timing_from_environment(), ConfigError);  // under three heartbeats
  ::setenv("POPSWEEP_LEASE_LIFETIME_SECONDS", "soon", 1);
  EXPECT_THROW(lease_timing_from_environment(), ConfigError);
  ::unsetenv("POPSWEEP_LEASE_HEARTBEAT_SECONDS");
  ::unsetenv("POPSWEEP_LEASE_LIFETIME_SECONDS");
  EXPECT_EQ(lease_timing_from_environment().lifetime, milliseconds(90000));
  EXPECT_EQ(lease_timing_from_environment().heartbeat, milliseconds(5000));
}

// The heartbeat thread, in real time with a 20 ms interval.
class CoordinatorLeaseHeartbeat : public ::testing::Test {
 protected:
  testing::TempDir dir;
  std::promise<std::string> lost;
  std::unique_ptr<CoordinatorLease> hold() {
    return std::make_unique<CoordinatorLease>(dir.file("sweep.db"), this_process_identity(),
                                              LeaseTiming{milliseconds(20), milliseconds(400)},
                                              WhenHeld::Refuse, real_lease_world([](const std::string&) {}),
                                              [this](const std::string& why) { lost.set_value(why); });
  }
};

TEST_F(CoordinatorLeaseHeartbeat, RenewsOnItsOwnThreadAndReleasesTheRow) {
  std::unique_ptr<CoordinatorLease> lease = hold();
  storage::Database reader = storage::Database::open(dir.file("sweep.db"));
  const std::int64_t first = storage::read_lease(reader)->heartbeat;
  const auto deadline =
      LeaseClock::now() + std::chrono::seconds(10);  // 3 beats take 60 ms on an idle machine
  while (storage::read_lease(reader)->heartbeat < first + 3 && LeaseClock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_GE(storage::read_lease(reader)->heartbeat, first + 3);
  lease->release();
  EXPECT_FALSE(storage::read_lease(reader));
  lease.reset();  // releasing twice is fine
  EXPECT_EQ(lost.get_future().wait_for(milliseconds(0)), std::future_status::timeout);
}

TEST_F(CoordinatorLeaseHeartbeat, ASecondCoordinatorInThisProcessIsRefused) {
  std::unique_ptr<CoordinatorLease> lease = hold();
  try {
    hold();
    FAIL() << "a second coordinator took the lease";
  } catch (const LeaseHeldError& error) {
    EXPECT_THAT(error.what(), HasSubstr("pid " + std::to_string(this_process_identity().pid)));
  }
}

TEST_F(CoordinatorLeaseHeartbeat, ALeaseTakenBySomeoneElseIsReportedLost) {
  std::unique_ptr<CoordinatorLease> lease = hold();
  storage::Database thief = storage::Database::open(dir.file("sweep.db"));
  storage::write_lease(thief, other_holder("node7", "boot-9"));
  std::future<std::string> why = lost.get_future();
  ASSERT_EQ(why.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_THAT(why.get(), HasSubstr("was taken by another coordinator (host node7, pid 4242"));
  lease.reset();  // releases nothing that is not its own
  EXPECT_EQ(storage::read_lease(thief)->holder, "other");
}

}  // namespace
}  // namespace popsweep::orchestrator
