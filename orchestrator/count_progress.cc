#include "orchestrator/count_progress.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace popsweep::orchestrator {

CountProgress::CountProgress(std::ostream& out, std::string what, std::string unit, bool terminal,
                             std::chrono::milliseconds log_interval)
    : out_(out),
      what_(std::move(what)),
      unit_(std::move(unit)),
      terminal_(terminal),
      log_interval_(log_interval),
      start_(Clock::now()),
      last_line_(start_) {}

double CountProgress::elapsed() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

std::string CountProgress::format_line(long done, long total, double seconds, const std::string& unit, int width) {
  std::string line;
  if (width > 0 && total > 0) {
    const int filled = static_cast<int>(std::lround(static_cast<double>(width) * std::min(done, total) / total));
    std::string bar(static_cast<size_t>(width), ' ');
    std::fill(bar.begin(), bar.begin() + filled, '=');
    if (filled > 0 && filled < width) bar[static_cast<size_t>(filled - 1)] = '>';
    line += "[" + bar + "] ";
  }
  line += total > 0 ? fmt::format("{}/{} {}", done, total, unit) : fmt::format("{} {}", done, unit);
  // A rate over less than a tenth of a second says nothing yet.
  if (seconds >= 0.1 && done > 0) {
    const double rate = static_cast<double>(done) / seconds;
    line += fmt::format(", {:.1f} {}/s", rate, unit);
    if (total > done) line += fmt::format(", ETA {:.0f} s", static_cast<double>(total - done) / rate);
  }
  return line;
}

void CountProgress::update(long done) {
  done_ = done;
  const auto now = Clock::now();
  if (terminal_) {
    out_ << "\r" << what_ << ": " << format_line(done_, total_, elapsed(), unit_, 30) << "\x1b[K" << std::flush;
    bar_drawn_ = true;
  } else if (now - last_line_ >= log_interval_) {
    out_ << what_ << ": " << format_line(done_, total_, elapsed(), unit_, 0) << "\n" << std::flush;
    last_line_ = now;
  }
}

void CountProgress::finish() {
  if (bar_drawn_) out_ << "\r\x1b[K";
  const double seconds = elapsed();
  out_ << fmt::format("{}: {} {} in {:.1f} s", what_, done_, unit_, seconds);
  if (seconds > 0 && done_ > 0) out_ << fmt::format(", {:.1f} {}/s", static_cast<double>(done_) / seconds, unit_);
  out_ << "\n" << std::flush;
}

}  // namespace popsweep::orchestrator
