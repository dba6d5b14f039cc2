// `popsweep run SPEC`: from a spec to a finished sweep. The coordinator
// prepares the profile, plans the jobs, checks that resuming is safe, then
// runs the scheduler over a local pool or MPI ranks. Running the same
// command again after any interruption resumes where it stopped.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace popsweep::orchestrator {

struct RunOptions {
  std::string spec_path;
  std::vector<std::string> overrides;
  std::string database;     // overrides the spec's `database`
  bool dry_run = false;
  std::string new_sweep_name;  // run a changed spec as a new sweep under this name
  bool retry_failed = false;
};

// Returns the process exit code: 0 when every job is done, 2 when some
// failed or were left (the sweep can be resumed), 3 when stopped by a signal.
int run_sweep(const RunOptions& options, std::ostream& out);

// The worker side of `popsweep run` under MPI (ranks other than 0).
void run_sweep_worker(const RunOptions& options);

}  // namespace popsweep::orchestrator
