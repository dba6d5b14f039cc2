#include "worker/data/label_summary.h"

#include <fmt/format.h>

#include <cmath>

namespace popsweep::data {

std::optional<double> pearson_correlation(const std::vector<double>& x, const std::vector<double>& y) {
  const size_t n = x.size();
  if (n < 2 || y.size() != n) return std::nullopt;
  double mean_x = 0, mean_y = 0;
  for (size_t i = 0; i < n; ++i) {
    mean_x += x[i];
    mean_y += y[i];
  }
  mean_x /= static_cast<double>(n);
  mean_y /= static_cast<double>(n);
  double sxy = 0, sxx = 0, syy = 0;
  for (size_t i = 0; i < n; ++i) {
    sxy += (x[i] - mean_x) * (y[i] - mean_y);
    sxx += (x[i] - mean_x) * (x[i] - mean_x);
    syy += (y[i] - mean_y) * (y[i] - mean_y);
  }
  if (sxx <= 0 || syy <= 0) return std::nullopt;
  return sxy / std::sqrt(sxx * syy);
}

LabelSummary summarize_labels(const std::vector<LabeledMedia>& items, int classes) {
  LabelSummary summary;
  summary.classes = classes;
  summary.media = static_cast<int>(items.size());
  struct PostFacts {
    double por = 0;
    bool has_video = false;
    std::optional<std::int64_t> impressions;
    std::int64_t engagement = 0;
  };
  std::map<std::string, PostFacts> posts;
  for (const LabeledMedia& item : items) {
    if (item.followers.extrapolated) ++summary.extrapolated_media;
    std::vector<int>& counts = summary.class_counts[item.media.media_type];
    counts.resize(static_cast<size_t>(classes), 0);
    ++counts[static_cast<size_t>(item.popularity_class)];
    PostFacts& post = posts[item.media.post_key];
    post.por = item.por;
    post.has_video = post.has_video || item.media.media_type == "video";
    post.impressions = item.media.impressions;
    post.engagement = item.media.likes + item.media.comments;
  }
  std::vector<double> engagement_rate, por_with_impressions;
  double sum_image_only = 0, sum_with_video = 0;
  for (const auto& [key, post] : posts) {
    if (post.impressions && *post.impressions > 0) {
      engagement_rate.push_back(static_cast<double>(post.engagement) / static_cast<double>(*post.impressions));
      por_with_impressions.push_back(post.por);
    }
    if (post.has_video) {
      ++summary.posts_with_video;
      sum_with_video += post.por;
    } else {
      ++summary.image_only_posts;
      sum_image_only += post.por;
    }
  }
  summary.posts_with_impressions = static_cast<int>(engagement_rate.size());
  summary.engagement_por_correlation = pearson_correlation(engagement_rate, por_with_impressions);
  if (summary.image_only_posts) summary.mean_por_image_only = sum_image_only / summary.image_only_posts;
  if (summary.posts_with_video) summary.mean_por_with_video = sum_with_video / summary.posts_with_video;
  return summary;
}

std::string describe(const LabelSummary& summary) {
  std::string text = fmt::format("labelled {} media; follower count extrapolated for {} (M2)\n", summary.media,
                                 summary.extrapolated_media);
  for (const auto& [type, counts] : summary.class_counts) {
    int total = 0;
    for (const int count : counts) total += count;
    text += fmt::format("  {:<6} {:>5} media, classes:", type, total);
    for (size_t k = 0; k < counts.size(); ++k) {
      text += fmt::format(" {}={} ({:.1f}%)", k, counts[k], total ? 100.0 * counts[k] / total : 0.0);
    }
    text += "\n";
  }
  if (summary.engagement_por_correlation) {
    text += fmt::format("engagement check (M3): Pearson r = {:.3f} between (likes+comments)/impressions and "
                        "PoR over {} posts\n",
                        *summary.engagement_por_correlation, summary.posts_with_impressions);
  } else {
    text += fmt::format("engagement check (M3): not enough posts with impressions ({})\n",
                        summary.posts_with_impressions);
  }
  if (summary.mean_por_image_only && summary.mean_por_with_video) {
    const double ratio = *summary.mean_por_image_only / *summary.mean_por_with_video;
    text += fmt::format("media effect (M6): mean PoR {:.5f} over {} image-only posts vs {:.5f} over {} posts "
                        "with video ({:+.1f}%)\n",
                        *summary.mean_por_image_only, summary.image_only_posts, *summary.mean_por_with_video,
                        summary.posts_with_video, 100.0 * (ratio - 1.0));
  } else {
    text += "media effect (M6): needs both image-only posts and posts with video\n";
  }
  return text;
}

}  // namespace popsweep::data
