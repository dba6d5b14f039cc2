#include "worker/context/popularity_history.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace popsweep::context {

KnownFollowers::KnownFollowers(std::vector<ContextFollowerSample> samples) : samples_(std::move(samples)) {
  std::sort(samples_.begin(), samples_.end(),
            [](const ContextFollowerSample& a, const ContextFollowerSample& b) { return a.at < b.at; });
}

std::optional<std::int64_t> KnownFollowers::last_before(UnixSeconds at) const {
  const auto after = std::lower_bound(samples_.begin(), samples_.end(), at,
                                      [](const ContextFollowerSample& s, UnixSeconds t) { return s.at < t; });
  if (after == samples_.begin()) return std::nullopt;
  return std::prev(after)->followers;
}

std::optional<double> known_log_popularity_rate(const ContextPost& post, const KnownFollowers& followers) {
  const std::optional<std::int64_t> count = followers.last_before(post.posted_at);
  if (!count) return std::nullopt;
  const double engagement = static_cast<double>(post.likes + post.comments) + 1.0;
  return std::log(engagement / std::max<double>(static_cast<double>(*count), 1.0));
}

void PopularityHistory::add_if_it_holds(const ContextPost& post, bool video,
                                        const KnownFollowers& followers) {
  const bool holds = std::any_of(post.media.begin(), post.media.end(),
                                 [video](const ContextMedia& item) { return item.is_video == video; });
  if (!holds) return;
  const std::optional<double> rate = known_log_popularity_rate(post, followers);
  if (!rate) return;
  log_rates_.push_back(*rate);
  if (log_rates_.size() > capacity_) log_rates_.pop_front();
}

HistorySummary PopularityHistory::summary() const {
  constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();
  const size_t n = log_rates_.size();
  if (n == 0) return {kMissing, kMissing};
  double sum = 0;
  for (double value : log_rates_) sum += value;
  const double mean = sum / static_cast<double>(n);
  if (n < 2) return {mean, kMissing};
  // Slope of the least-squares line through (0, y_0) ... (n-1, y_{n-1}).
  const double mean_position = (static_cast<double>(n) - 1.0) / 2.0;
  double covariance = 0;
  double variance = 0;
  for (size_t i = 0; i < n; ++i) {
    const double dx = static_cast<double>(i) - mean_position;
    covariance += dx * (log_rates_[i] - mean);
    variance += dx * dx;
  }
  return {mean, covariance / variance};
}

}  // namespace popsweep::context
