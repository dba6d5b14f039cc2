// Shows a sweep's progress: a live bar with rate and ETA when stderr is a
// terminal, plain periodic log lines otherwise (batch logs stay readable).
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

#include "orchestrator/scheduler.h"

namespace popsweep::orchestrator {

class ProgressDisplay {
 public:
  explicit ProgressDisplay(std::FILE* stream = stderr,
                           std::chrono::seconds log_interval = std::chrono::seconds(30));
  void update(const SchedulerProgress& progress);
  void log(const std::string& line);
  void finish();

  // "[=====>    ] 50/120 jobs, 2 running, 0.8 jobs/s, ETA 1m27s"
  static std::string format_line(const SchedulerProgress& progress, int width);

 private:
  std::FILE* stream_;
  bool terminal_;
  std::chrono::seconds log_interval_;
  std::chrono::steady_clock::time_point last_log_;
  bool bar_drawn_ = false;
};

}  // namespace popsweep::orchestrator
