// Progress of one long command over a known number of items (`extract`'s
// media): a bar redrawn in place with rate and ETA when the output is a
// terminal, a plain line at most every `log_interval` otherwise, so batch
// logs stay readable. The last line always says how long the whole took.
#pragma once

#include <chrono>
#include <ostream>
#include <string>

namespace popsweep::orchestrator {

class CountProgress {
 public:
  using Clock = std::chrono::steady_clock;

  CountProgress(std::ostream& out, std::string what, std::string unit, bool terminal,
                std::chrono::milliseconds log_interval = std::chrono::seconds(10));
  void set_total(long total) { total_ = total; }
  void update(long done);
  // The closing line: "<what>: <done> <unit> in <s> s, <rate> <unit>/s".
  void finish();

  // "[=======>       ] 120/200 media, 53.2 media/s, ETA 1.5 s" (width = bar cells).
  static std::string format_line(long done, long total, double seconds, const std::string& unit, int width);

 private:
  double elapsed() const;

  std::ostream& out_;
  std::string what_, unit_;
  bool terminal_;
  std::chrono::milliseconds log_interval_;
  Clock::time_point start_, last_line_;
  long total_ = 0, done_ = 0;
  bool bar_drawn_ = false;
};

}  // namespace popsweep::orchestrator
