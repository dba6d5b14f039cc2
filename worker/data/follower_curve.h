// M2: the profile's follower count at any time, from a tracker's samples.
// Inside the sampled range: linear interpolation between the two nearest
// samples. Outside it: a least-squares fit of ln(followers) on time over the
// nearest `fit_points` samples (log-linear growth), never below 1, and the
// estimate is flagged as extrapolated.
#pragma once

#include <vector>

#include "worker/data/profile.h"

namespace popsweep::data {

struct FollowerEstimate {
  double followers = 0;
  bool extrapolated = false;
};

class FollowerCurve {
 public:
  // `samples` must be non-empty; they are sorted here.
  explicit FollowerCurve(std::vector<FollowerSample> samples, int fit_points = 8);

  FollowerEstimate at(UnixSeconds t) const;

  UnixSeconds first_sample_time() const { return samples_.front().at; }
  UnixSeconds last_sample_time() const { return samples_.back().at; }

 private:
  // ln(followers) = intercept + slope * (t - origin) / day
  struct LogLinearFit {
    double intercept = 0;
    double slope = 0;
    UnixSeconds origin = 0;
    double evaluate(UnixSeconds t) const;
  };
  static LogLinearFit fit(const std::vector<FollowerSample>& samples, size_t begin, size_t end);

  std::vector<FollowerSample> samples_;
  LogLinearFit before_first_;
  LogLinearFit after_last_;
};

}  // namespace popsweep::data
