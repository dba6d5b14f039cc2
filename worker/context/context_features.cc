#include "worker/context/context_features.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "common/error.h"
#include "worker/context/caption_counts.h"
#include "worker/context/popularity_history.h"
#include "worker/context/profile_time_zone.h"

namespace popsweep::context {
namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();
constexpr double kTwoPi = 6.283185307179586476925286766559;
constexpr double kSecondsPerDay = 86400.0;

enum Feature {
  kHourSin,
  kHourCos,
  kWeekdaySin,
  kWeekdayCos,
  kDaysSincePreviousPost,
  kCaptionCharacters,
  kHashtags,
  kMentions,
  kCarouselSize,
  kCarouselPosition,
  kLogFollowers,
  kHistoryMean,
  kHistoryTrend,
  kFeatureCount
};

std::vector<const ContextPost*> in_time_order(const std::vector<ContextPost>& posts) {
  std::vector<const ContextPost*> ordered;
  for (const ContextPost& post : posts) ordered.push_back(&post);
  std::sort(ordered.begin(), ordered.end(), [](const ContextPost* a, const ContextPost* b) {
    return a->posted_at != b->posted_at ? a->posted_at < b->posted_at : a->key < b->key;
  });
  return ordered;
}

// What every item of one post shares.
std::vector<double> post_features(const ContextPost& post, const ProfileTimeZone& zone,
                                  const KnownFollowers& followers, const ContextPost* previous) {
  std::vector<double> values(kFeatureCount, kMissing);
  const LocalTime local = zone.local_time(post.posted_at);
  values[kHourSin] = std::sin(kTwoPi * local.hour_of_day / 24.0);
  values[kHourCos] = std::cos(kTwoPi * local.hour_of_day / 24.0);
  values[kWeekdaySin] = std::sin(kTwoPi * local.weekday / 7.0);
  values[kWeekdayCos] = std::cos(kTwoPi * local.weekday / 7.0);
  if (previous)
    values[kDaysSincePreviousPost] =
        static_cast<double>(post.posted_at - previous->posted_at) / kSecondsPerDay;
  const CaptionCounts counts = count_caption(post.caption);
  values[kCaptionCharacters] = static_cast<double>(counts.characters);
  values[kHashtags] = static_cast<double>(counts.hashtags);
  values[kMentions] = static_cast<double>(counts.mentions);
  values[kCarouselSize] = static_cast<double>(post.media.size());
  if (const std::optional<std::int64_t> count = followers.last_before(post.posted_at)) {
    values[kLogFollowers] = std::log1p(static_cast<double>(*count));
  }
  return values;
}

}  // namespace

const std::vector<std::string>& context_feature_names() {
  static const std::vector<std::string> names = {"hour_sin",
                                                 "hour_cos",
                                                 "weekday_sin",
                                                 "weekday_cos",
                                                 "days_since_previous_post",
                                                 "caption_characters",
                                                 "hashtags",
                                                 "mentions",
                                                 "carousel_size",
                                                 "carousel_position",
                                                 "log_followers",
                                                 "history_mean_log_por",
                                                 "history_trend_log_por"};
  return names;
}

std::vector<ContextRow> compute_context(const std::vector<ContextPost>& posts,
                                        const std::vector<ContextFollowerSample>& followers,
                                        const ContextSettings& settings) {
  if (settings.history_posts < 1) throw ConfigError("context.history_posts must be at least 1");
  const ProfileTimeZone zone(settings.time_zone, settings.time_zone_key);
  const KnownFollowers known_followers(followers);
  const std::vector<const ContextPost*> ordered = in_time_order(posts);
  PopularityHistory image_history(settings.history_posts);
  PopularityHistory video_history(settings.history_posts);

  std::vector<ContextRow> rows;
  size_t first_of_instant = 0;  // posts at one second see none of each other
  for (size_t i = 0; i < ordered.size(); ++i) {
    const ContextPost& post = *ordered[i];
    if (ordered[first_of_instant]->posted_at != post.posted_at) {
      // Every post of the earlier instant joins the histories only now.
      for (size_t j = first_of_instant; j < i; ++j) {
        image_history.add_if_it_holds(*ordered[j], false, known_followers);
        video_history.add_if_it_holds(*ordered[j], true, known_followers);
      }
      first_of_instant = i;
    }
    const ContextPost* previous = first_of_instant > 0 ? ordered[first_of_instant - 1] : nullptr;
    const std::vector<double> shared = post_features(post, zone, known_followers, previous);
    std::vector<ContextMedia> media = post.media;
    std::sort(media.begin(), media.end(),
              [](const ContextMedia& a, const ContextMedia& b) { return a.index < b.index; });
    for (const ContextMedia& item : media) {
      ContextRow row{item.media_id, post.key, item.index, item.is_video, shared};
      row.values[kCarouselPosition] = item.index;
      const HistorySummary history = (item.is_video ? video_history : image_history).summary();
      row.values[kHistoryMean] = history.mean;
      row.values[kHistoryTrend] = history.trend;
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

}  // namespace popsweep::context
