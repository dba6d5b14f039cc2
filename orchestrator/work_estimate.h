// How much work a sweep has left, in seconds, so that its progress bar and
// ETA count work rather than jobs. One extraction job can take minutes while
// a training job takes a second: an ETA from jobs per second said "42m16s"
// during the paper run's extraction, which then finished in 7 min 40 s.
//
// Each job gets a predicted cost from its stage and parameters and the size
// of the profile (predicted_job_seconds: a cost model in seconds of a quiet
// 2-core machine). Costs are then corrected by what the sweep observes: jobs
// of the same group (stage and experiment) take the mean ratio of observed to
// predicted seconds of their finished peers; groups with none yet take the
// ratio over every finished extraction and training job (how fast this
// machine is against the model); a running job already past its prediction
// raises both at once.
// The remaining worker-seconds are divided by the parallelism observed so
// far (busy worker-seconds per wall second, between 1 and the worker count).
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>

namespace popsweep::orchestrator {

struct ProfileSize {
  std::int64_t images = 0;
  std::int64_t videos = 0;
};

// Seconds the job is expected to take on the reference machine (>= 0).
double predicted_job_seconds(const std::string& stage, const nlohmann::json& params, const ProfileSize& size);

// Jobs of one group are expected to be equally fast relative to the model.
std::string work_group(const std::string& stage, const nlohmann::json& params);

class WorkEstimate {
 public:
  explicit WorkEstimate(int workers = 1) : workers_(workers < 1 ? 1 : workers) {}

  // Every job of the sweep, once. `done` jobs count as finished work;
  // `observed_seconds` (> 0, from an earlier run's record) also calibrates.
  void add_job(std::int64_t id, const std::string& group, double predicted, bool done, double observed_seconds = 0);
  void started(std::int64_t id, double now);
  // Done: its seconds calibrate the rest (measured by the caller, or by
  // the start this estimate saw when `observed_seconds` <= 0).
  void finished(std::int64_t id, double now, double observed_seconds = 0);
  // Failed for good: no work left in it, and nothing learned.
  void abandoned(std::int64_t id);
  // Back to pending (a retry, a requeue): its work is all to do again.
  void requeued(std::int64_t id);

  // A new prediction for a job (the profile's size became known).
  void set_predicted(std::int64_t id, double predicted);

  // Share of the predicted work done (0..1), counting running jobs in part.
  double fraction_done(double now) const;
  // Wall seconds left; negative when nothing can be said yet.
  double eta_seconds(double now) const;

 private:
  enum class State { Waiting, Running, Done, Gone };
  struct Job {
    std::string group;
    double predicted = 0;
    State state = State::Waiting;
    double started_at = 0;
  };
  struct Calibration {
    double observed = 0;
    double predicted = 0;
  };
  struct Ratios {
    std::map<std::string, double> group;
    double overall = 1;
  };
  void learn(const Job& job, double observed_seconds);
  Ratios current_ratios(double now) const;
  double expected_seconds(const Job& job, const Ratios& ratios) const;  // predicted, corrected

  int workers_;
  std::map<std::int64_t, Job> jobs_;
  std::map<std::string, Calibration> by_group_;
  Calibration overall_;
  double busy_seconds_ = 0;  // observed seconds of jobs finished in this run
  double first_start_ = -1;  // when this run started its first job
};

}  // namespace popsweep::orchestrator
