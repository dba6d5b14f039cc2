#include "common/fault_points.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "common/error.h"

namespace popsweep {
namespace {

struct ArmedFault {
  FaultPlan plan;
  std::string marker;
  bool hang = false;     // POPSWEEP_FAULT_ACTION=hang: stop answering instead of dying
  std::int64_t job = 0;  // POPSWEEP_FAULT_JOB: only this job's visits count (0: any)
};

// Read once at load time, so a typo fails at start rather than never firing,
// and an unset variable costs nothing later. Set only by crash tests.
ArmedFault arm_from_environment() {
  ArmedFault armed;
  const char* value = std::getenv("POPSWEEP_FAULT");
  if (!value || !*value) return armed;
  try {
    armed.plan = parse_fault_plan(value);
  } catch (const Error& error) {
    std::fprintf(stderr, "popsweep: %s\n", error.what());
    std::_Exit(2);
  }
  if (const char* marker = std::getenv("POPSWEEP_FAULT_MARKER")) armed.marker = marker;
  const std::string action =
      std::getenv("POPSWEEP_FAULT_ACTION") ? std::getenv("POPSWEEP_FAULT_ACTION") : "kill";
  if (action != "kill" && action != "hang") {
    std::fprintf(stderr, "popsweep: POPSWEEP_FAULT_ACTION=%s: expected kill or hang\n", action.c_str());
    std::_Exit(2);
  }
  armed.hang = action == "hang";
  if (const char* job = std::getenv("POPSWEEP_FAULT_JOB"); job && *job) {
    char* end = nullptr;
    armed.job = std::strtoll(job, &end, 10);
    if (*end != '\0' || armed.job < 1) {
      std::fprintf(stderr, "popsweep: POPSWEEP_FAULT_JOB=%s: expected a job id (a whole number >= 1)\n", job);
      std::_Exit(2);
    }
  }
  return armed;
}

const ArmedFault kArmed = arm_from_environment();
std::atomic<std::int64_t> times_reached{0};

// False when another process already fired (the marker exists).
bool claim_marker(const std::string& point) {
  if (kArmed.marker.empty()) return true;
  const int fd = ::open(kArmed.marker.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0644);
  if (fd < 0) return errno != EEXIST;
  const std::string line = point + " " + std::to_string(::getpid()) + "\n";
  [[maybe_unused]] const ssize_t written = ::write(fd, line.data(), line.size());
  ::close(fd);
  return true;
}

[[noreturn]] void die_here(const std::string& point, std::int64_t nth) {
  const std::string what = kArmed.hang ? "hanging" : "SIGKILL";
  const std::string line = "popsweep: fault injection: " + what + " at " + point + " (time " +
                           std::to_string(nth) + " it was reached) in pid " + std::to_string(::getpid()) +
                           "\n";
  [[maybe_unused]] const ssize_t written = ::write(STDERR_FILENO, line.data(), line.size());
  // A hang blocks only this thread: a worker's heartbeat thread goes on, as
  // in a real deadlock, so only the job time limit can catch it.
  while (kArmed.hang) ::pause();
  ::raise(SIGKILL);
  std::_Exit(137);  // not reached: SIGKILL cannot be caught
}

void reached(std::string_view point) {
  const std::int64_t nth = times_reached.fetch_add(1) + 1;
  if (nth != kArmed.plan.nth) return;
  const std::string name(point);
  if (claim_marker(name)) die_here(name, nth);
}

}  // namespace

const std::vector<std::string>& fault_point_names() {
  static const std::vector<std::string> names{
      "ingest.before_commit",       "label.after_commit",         "extract.mid_batch",
      "extract.after_batch_commit", "dedup.before_commit",        "train.mid_epoch",
      "train.epoch_boundary",       "train.result_before_status", "extract.result_before_status",
      "report.half_written",
      // Appended by issue 24 (keep new points at the end).
      "train.after_batch_commit", "worker.job_start"};
  return names;
}

FaultPlan parse_fault_plan(const std::string& value) {
  FaultPlan plan;
  const size_t colon = value.find(':');
  plan.point = value.substr(0, colon);
  if (colon != std::string::npos) {
    const std::string count = value.substr(colon + 1);
    char* end = nullptr;
    errno = 0;
    const long long nth = std::strtoll(count.c_str(), &end, 10);
    if (count.empty() || *end != '\0' || errno != 0 || nth < 1) {
      throw ConfigError("POPSWEEP_FAULT=" + value + ": expected POINT or POINT:N with N a whole number >= 1");
    }
    plan.nth = nth;
  }
  const std::vector<std::string>& names = fault_point_names();
  if (std::find(names.begin(), names.end(), plan.point) == names.end()) {
    std::string known;
    for (const std::string& name : names) known += (known.empty() ? "" : ", ") + name;
    throw ConfigError("POPSWEEP_FAULT=" + value + ": no fault point '" + plan.point + "' (known: " + known +
                      ")");
  }
  return plan;
}

void fault_point(std::string_view point) {
  if (kArmed.plan.point.empty() || point != kArmed.plan.point) return;
  reached(point);
}

void fault_point_for_job(std::string_view point, std::int64_t job_id) {
  if (kArmed.plan.point.empty() || point != kArmed.plan.point) return;
  if (kArmed.job != 0 && job_id != kArmed.job) return;
  reached(point);
}

void fault_point(std::string_view scope, std::string_view point) {
  const std::string& armed = kArmed.plan.point;
  if (armed.empty() || armed.size() != scope.size() + 1 + point.size()) return;
  const std::string_view name(armed);
  if (name.substr(0, scope.size()) != scope || name[scope.size()] != '.' ||
      name.substr(scope.size() + 1) != point) {
    return;
  }
  reached(name);
}

}  // namespace popsweep
