// The coordinator's loop: runs the jobs of one sweep in dependency order,
// coordinator stages inline and the rest on workers pulled one job at a time
// (dynamic scheduling, so uneven jobs balance). Every outcome is committed in
// one transaction with the job's status, so a crash at any point loses
// nothing: running the sweep again requeues what was running and carries on.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "orchestrator/stage_handlers.h"
#include "orchestrator/transport.h"

namespace popsweep::storage {
class Database;
}

namespace popsweep::orchestrator {

struct SchedulerProgress {
  int total = 0;
  int done = 0;
  int failed = 0;
  int running = 0;
  int blocked = 0;  // waiting on a failed dependency
  int pruned = 0;   // stopped by a search's pruner
  double elapsed_seconds = 0;
  // By work, not jobs (work_estimate.h): the share done and the wall
  // seconds left; negative when unknown.
  double work_fraction = -1;
  double eta_seconds = -1;
};

struct SchedulerOptions {
  int max_attempts = 3;
  std::chrono::milliseconds job_timeout{std::chrono::hours(2)};
  // A busy worker silent for this long is presumed hung or gone.
  std::chrono::milliseconds heartbeat_timeout{std::chrono::minutes(2)};
  // After a stop request, how long running jobs get to reach a safe point.
  std::chrono::milliseconds stop_grace{std::chrono::seconds(90)};
  const std::atomic<bool>* stop_requested = nullptr;  // set by SIGTERM/SIGUSR1
  std::function<void(const SchedulerProgress&)> on_progress;
  std::function<void(const std::string&)> log;  // one line per notable event
  // The workers that said hello to an earlier scheduler on this transport and
  // are idle (a search's next round: SchedulerOutcome::idle_workers of the
  // last): they take jobs at once. The others wait for their hello, which may
  // still be on its way (a worker slow to start may have missed a short round).
  std::vector<bool> workers_idle_at_start;
  // Gangs (jobs on several workers at once, StageHandlers::ranks_of): where
  // rank 0's rendezvous store listens and every member's Gloo device binds
  // (the local pool's workers share this machine); empty under MPI, where
  // each worker says its address in its hello (its host name, or
  // POPSWEEP_GANG_ADDRESS): the store on rank 0's, each member bound to its
  // own. How long the first waiting gang lets smaller jobs take the idle
  // workers before it holds them (gang_placement.h). run.device, for the
  // gang's devices (gang_devices.h: members never share a GPU).
  std::string gang_host = "127.0.0.1";
  std::string device_request = "auto";
  std::chrono::milliseconds gang_patience{std::chrono::seconds(30)};
};

struct SchedulerOutcome {
  int done = 0;
  int failed = 0;
  int interrupted = 0;
  int pruned = 0;   // stopped by a search's pruner: finished, not failed
  int pending = 0;  // not run: blocked by a failure, or left by a stop
  bool stopped = false;
  // Workers gone for good, as "name: why" (a hung or dead MPI rank, which no
  // transport can restart); a caller under MPI must not wait for them.
  std::vector<std::string> lost_workers;
  // Per worker: said hello and idle at the end (for the next round's scheduler).
  std::vector<bool> idle_workers;
};

SchedulerOutcome run_scheduler(storage::Database& db, std::int64_t sweep_id, CoordinatorTransport& transport,
                               StageHandlers& handlers, const SchedulerOptions& options);

}  // namespace popsweep::orchestrator
