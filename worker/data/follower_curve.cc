#include "worker/data/follower_curve.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"

namespace popsweep::data {

double FollowerCurve::LogLinearFit::evaluate(UnixSeconds t) const {
  const double days = static_cast<double>(t - origin) / static_cast<double>(kSecondsPerDay);
  return std::max(1.0, std::exp(intercept + slope * days));
}

FollowerCurve::LogLinearFit FollowerCurve::fit(const std::vector<FollowerSample>& samples, size_t begin,
                                               size_t end) {
  LogLinearFit result;
  result.origin = samples[begin].at;
  const double n = static_cast<double>(end - begin);
  double mean_x = 0, mean_y = 0;
  for (size_t i = begin; i < end; ++i) {
    // A zero count has no logarithm; one follower is the floor anyway.
    mean_x += static_cast<double>(samples[i].at - result.origin) / kSecondsPerDay;
    mean_y += std::log(std::max<double>(1.0, static_cast<double>(samples[i].followers)));
  }
  mean_x /= n;
  mean_y /= n;
  double covariance = 0, variance = 0;
  for (size_t i = begin; i < end; ++i) {
    const double dx = static_cast<double>(samples[i].at - result.origin) / kSecondsPerDay - mean_x;
    const double dy = std::log(std::max<double>(1.0, static_cast<double>(samples[i].followers))) - mean_y;
    covariance += dx * dy;
    variance += dx * dx;
  }
  // One sample (or all at one time): no trend can be fitted; hold it flat.
  result.slope = variance > 0 ? covariance / variance : 0.0;
  result.intercept = mean_y - result.slope * mean_x;
  return result;
}

FollowerCurve::FollowerCurve(std::vector<FollowerSample> samples, int fit_points) : samples_(std::move(samples)) {
  if (samples_.empty()) throw Error("no follower samples: the popularity rate needs at least one");
  if (fit_points < 1) throw ConfigError("the follower fit needs at least 1 point");
  std::sort(samples_.begin(), samples_.end(),
            [](const FollowerSample& a, const FollowerSample& b) { return a.at < b.at; });
  const size_t count = std::min(samples_.size(), static_cast<size_t>(fit_points));
  before_first_ = fit(samples_, 0, count);
  after_last_ = fit(samples_, samples_.size() - count, samples_.size());
}

FollowerEstimate FollowerCurve::at(UnixSeconds t) const {
  if (t < samples_.front().at) return {before_first_.evaluate(t), true};
  if (t > samples_.back().at) return {after_last_.evaluate(t), true};
  // First sample at or after t.
  const auto upper = std::lower_bound(samples_.begin(), samples_.end(), t,
                                      [](const FollowerSample& s, UnixSeconds value) { return s.at < value; });
  if (upper->at == t) return {static_cast<double>(upper->followers), false};
  const auto lower = upper - 1;
  const double fraction = static_cast<double>(t - lower->at) / static_cast<double>(upper->at - lower->at);
  const double followers = static_cast<double>(lower->followers) +
                           fraction * static_cast<double>(upper->followers - lower->followers);
  return {followers, false};
}

}  // namespace popsweep::data
