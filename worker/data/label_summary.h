// What `popsweep label` prints after labelling: extrapolated follower
// estimates (M2), class balance per media type (M4/M5), the engagement check
// (M3) and the media effect (M6).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "worker/data/labeler.h"

namespace popsweep::data {

struct LabelSummary {
  int classes = 2;
  int media = 0;
  int extrapolated_media = 0;
  std::map<std::string, std::vector<int>> class_counts;  // media type -> count per class

  // M3, over posts with impressions: Pearson correlation between
  // (likes + comments) / impressions and PoR, one point per post.
  int posts_with_impressions = 0;
  std::optional<double> engagement_por_correlation;

  // M6, one value per post: mean PoR of image-only posts and of posts with
  // at least one (non-excluded) video.
  int image_only_posts = 0;
  int posts_with_video = 0;
  std::optional<double> mean_por_image_only;
  std::optional<double> mean_por_with_video;
};

LabelSummary summarize_labels(const std::vector<LabeledMedia>& items, int classes);
std::string describe(const LabelSummary& summary);

// Pearson's r; nullopt for fewer than two points or a constant series.
std::optional<double> pearson_correlation(const std::vector<double>& x, const std::vector<double>& y);

}  // namespace popsweep::data
