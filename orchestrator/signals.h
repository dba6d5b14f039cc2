// SIGTERM and SIGUSR1 (what Slurm sends before preemption or the time limit)
// and a first Ctrl-C ask the coordinator to stop cleanly: no new jobs,
// running jobs checkpoint at their next safe point. A second Ctrl-C exits at
// once (the next run resumes anyway).
#pragma once

#include <atomic>

namespace popsweep::orchestrator {

// Installs the handlers and returns the flag they set.
const std::atomic<bool>& install_stop_signal_handlers();
// Which signal asked to stop (0 if none), for the log.
int stop_signal_received();

}  // namespace popsweep::orchestrator
