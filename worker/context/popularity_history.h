// The two parts of the context vector that look back at the profile: the
// follower count known at a time (the last sample strictly before it, never a
// later one: M2's interpolation uses the next sample, which a feature must not
// see) and the recent popularity of posts of one media type.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "worker/context/context_features.h"

namespace popsweep::context {

class KnownFollowers {
 public:
  explicit KnownFollowers(std::vector<ContextFollowerSample> samples);
  // The count of the last sample taken strictly before `at`; nullopt when none was.
  std::optional<std::int64_t> last_before(UnixSeconds at) const;

 private:
  std::vector<ContextFollowerSample> samples_;  // by time
};

// ln((likes + comments + 1) / max(f, 1)), f = the last follower sample before
// the post; nullopt when there is no such sample. The +1 keeps a post without
// engagement finite.
std::optional<double> known_log_popularity_rate(const ContextPost& post, const KnownFollowers& followers);

struct HistorySummary {
  double mean;   // NaN without history
  double trend;  // least-squares slope per post; NaN with fewer than two posts
};

// The last `capacity` posts holding at least one media item of one type
// (excluded and duplicate media count: the audience saw those posts).
class PopularityHistory {
 public:
  explicit PopularityHistory(int capacity) : capacity_(static_cast<size_t>(capacity)) {}
  void add_if_it_holds(const ContextPost& post, bool video, const KnownFollowers& followers);
  HistorySummary summary() const;

 private:
  size_t capacity_;
  std::deque<double> log_rates_;  // oldest first
};

}  // namespace popsweep::context
