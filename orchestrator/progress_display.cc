#include "orchestrator/progress_display.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

namespace popsweep::orchestrator {
namespace {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long total = std::lround(seconds);
  if (total >= 3600) return fmt::format("{}h{:02}m", total / 3600, total / 60 % 60);
  if (total >= 60) return fmt::format("{}m{:02}s", total / 60, total % 60);
  return fmt::format("{}s", total);
}

}  // namespace

ProgressDisplay::ProgressDisplay(std::FILE* stream, std::chrono::seconds log_interval)
    : stream_(stream), terminal_(::isatty(::fileno(stream)) != 0), log_interval_(log_interval) {}

std::string ProgressDisplay::format_line(const SchedulerProgress& progress, int width) {
  const int finished = progress.done + progress.failed + progress.pruned;
  // The bar and the ETA count work (work_estimate.h) when the scheduler
  // knows it: jobs differ in size by a factor of a thousand.
  const bool by_work = progress.work_fraction >= 0;
  const double fraction = by_work          ? std::min(progress.work_fraction, 1.0)
                          : progress.total ? static_cast<double>(finished) / progress.total
                                           : 1.0;
  const int filled = static_cast<int>(fraction * width);
  std::string bar(static_cast<size_t>(filled), '=');
  if (filled < width) bar += '>';
  bar.resize(static_cast<size_t>(width), ' ');
  const double rate = progress.elapsed_seconds > 0 ? finished / progress.elapsed_seconds : 0;
  const int left = progress.total - finished - progress.blocked;
  std::string line = fmt::format("[{}] {}/{} jobs", bar, finished, progress.total);
  if (by_work) line += fmt::format(" ({:.0f}% of the work)", 100 * fraction);
  line += fmt::format(", {} running", progress.running);
  if (progress.failed) line += fmt::format(", {} failed", progress.failed);
  if (progress.blocked) line += fmt::format(", {} blocked", progress.blocked);
  if (progress.pruned) line += fmt::format(", {} pruned", progress.pruned);
  const double eta = by_work ? progress.eta_seconds : rate > 0 ? left / rate : -1;
  line += fmt::format(", {:.2f} jobs/s, ETA {}", rate, eta >= 0 ? format_duration(eta) : "?");
  return line;
}

void ProgressDisplay::update(const SchedulerProgress& progress) {
  if (terminal_) {
    std::fprintf(stream_, "\r%s\x1b[K", format_line(progress, 30).c_str());
    std::fflush(stream_);
    bar_drawn_ = true;
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (now - last_log_ >= log_interval_ ||
      progress.done + progress.failed + progress.pruned == progress.total) {
    last_log_ = now;
    std::fprintf(stream_, "popsweep: %s\n", format_line(progress, 20).c_str());
    std::fflush(stream_);
  }
}

void ProgressDisplay::log(const std::string& line) {
  if (bar_drawn_) std::fprintf(stream_, "\r\x1b[K");
  std::fprintf(stream_, "popsweep: %s\n", line.c_str());
  std::fflush(stream_);
}

void ProgressDisplay::finish() {
  if (bar_drawn_) std::fprintf(stream_, "\n");
  bar_drawn_ = false;
}

}  // namespace popsweep::orchestrator
