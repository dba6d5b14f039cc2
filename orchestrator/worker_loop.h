// A worker's life: say hello, then take jobs one at a time from the
// coordinator and send back results. The job runs on its own thread while
// the loop keeps talking: heartbeats say the worker is alive, and an
// "interrupt" (the coordinator got SIGTERM or SIGUSR1) asks the job to stop
// at its next safe point and hand back a resume checkpoint. The worker
// confirms at once ("stopping") that a stop reached its job, by that message
// or by a signal of its own, so the job counts as preempted even if it is
// killed before its safe point. "abandon" (the job ran past its time limit on
// a worker that cannot be replaced) also stops the job; its answer is
// discarded by the coordinator.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>

#include "orchestrator/message.h"
#include "orchestrator/transport.h"

namespace popsweep::orchestrator {

// Runs one job. The returned message is the result ("result"), or an
// "interrupted" message with what is needed to continue. Throwing fails the
// job with the exception's text. `should_stop` is checked at safe points
// (between epochs, between batches of media). `emit` sends a "partial"
// message while the job runs (a batch of features), so a killed job loses
// at most the batch in flight.
using Emitter = std::function<void(Message)>;
class JobExecutor {
 public:
  virtual ~JobExecutor() = default;
  virtual Message execute(const Message& job, const std::function<bool()>& should_stop,
                          const Emitter& emit) = 0;
  // Data the coordinator sends once per worker and many jobs share
  // (features and labels of a training set), cached by key.
  virtual void accept_dataset(const Message& dataset) = 0;
};

struct WorkerLoopOptions {
  std::chrono::milliseconds heartbeat_interval{std::chrono::seconds(5)};
  // A worker that hears nothing from the coordinator for this long while
  // idle assumes it is gone and exits, instead of waiting forever.
  std::chrono::milliseconds idle_timeout{std::chrono::hours(2)};
  std::string description;  // host, pid, device: shown in `popsweep status`
  // More for the hello: the worker's node, gang address, device and GPU
  // count (hello_fields in worker_main.h), which place its gangs.
  nlohmann::json hello = nlohmann::json::object();
  // Set by SIGTERM/SIGUSR1/SIGINT reaching the worker itself (Slurm signals
  // every rank): the running job stops at its next safe point, as on an
  // "interrupt" from the coordinator.
  const std::atomic<bool>* stop_signal = nullptr;
};

void run_worker_loop(WorkerChannel& channel, JobExecutor& executor, const WorkerLoopOptions& options);

}  // namespace popsweep::orchestrator
