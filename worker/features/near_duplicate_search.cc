#include "worker/features/near_duplicate_search.h"

#include <torch/torch.h>

#include <cmath>
#include <map>

#include "common/fault_points.h"
#include "storage/database.h"
#include "storage/feature_tables.h"
#include "storage/profile_tables.h"
#include "worker/features/duplicate_resolution.h"
#include "worker/features/nearest_neighbours.h"

namespace popsweep::features {
namespace {

struct Candidates {
  std::vector<storage::MediaOfPost> media;
  std::vector<std::vector<float>> embeddings;
};

torch::Tensor stack(const std::vector<std::vector<float>>& rows) {
  if (rows.empty()) return torch::zeros({0, 1});
  torch::Tensor out = torch::empty({static_cast<int64_t>(rows.size()), static_cast<int64_t>(rows[0].size())});
  for (size_t i = 0; i < rows.size(); ++i) {
    std::memcpy(out[static_cast<int64_t>(i)].data_ptr<float>(), rows[i].data(), rows[i].size() * sizeof(float));
  }
  return out;
}

// Every non-excluded media of `type` with an embedding under `role`.
Candidates gather(storage::Database& db, std::int64_t set_id, const std::string& type, const std::string& role) {
  std::map<std::string, std::vector<float>> by_hash;
  for (storage::FeatureRecord& record : storage::load_features(db, set_id, role, 0)) {
    by_hash[record.content_hash] = std::move(record.values);
  }
  Candidates candidates;
  for (const storage::MediaOfPost& media : storage::load_media_of_posts(db)) {
    if (media.media_type != type) continue;
    const auto found = by_hash.find(media.content_hash);
    if (found == by_hash.end()) continue;  // unreadable: nothing to compare
    candidates.media.push_back(media);
    candidates.embeddings.push_back(found->second);
  }
  return candidates;
}

std::vector<DuplicateCandidate> as_candidates(const Candidates& c) {
  std::vector<DuplicateCandidate> out;
  for (const storage::MediaOfPost& m : c.media) out.push_back({m.media_id, m.post_kind == "carousel", m.posted_at});
  return out;
}

}  // namespace

bool same_video_timing(double duration_a, double rate_a, double duration_b, double rate_b) {
  if (std::fabs(rate_a - rate_b) > 0.01 * std::max(1.0, rate_a)) return false;
  const double one_frame = rate_a > 0 ? 1.0 / rate_a : 0.05;
  return std::fabs(duration_a - duration_b) <= std::max(0.05, 1.01 * one_frame);
}

NearDuplicateReport remove_near_duplicates(storage::Database& db, std::int64_t feature_set_id,
                                           std::optional<double> threshold) {
  NearDuplicateReport report;
  const Candidates images = gather(db, feature_set_id, "image", "image");
  const Candidates videos = gather(db, feature_set_id, "video", "thumbnail");
  report.images = static_cast<int>(images.media.size());
  report.videos = static_cast<int>(videos.media.size());
  const torch::Tensor image_matrix = stack(images.embeddings);
  report.image_nearest_distances = nearest_neighbours(image_matrix).distance;
  if (threshold) {
    report.threshold = threshold;
    report.explanation = "threshold " + std::to_string(*threshold) + " given";
  } else {
    const ThresholdSuggestion suggestion = suggest_threshold(report.image_nearest_distances);
    report.threshold = suggestion.threshold;
    report.suggested = true;
    report.explanation = suggestion.explanation;
  }
  std::vector<storage::DuplicateRow> rows;
  if (report.threshold) {
    // Images (M7).
    std::vector<MatchedPair> image_pairs;
    for (const NeighbourPair& p : pairs_within(image_matrix, *report.threshold)) {
      image_pairs.push_back({p.first, p.second, p.distance});
      report.pairs.push_back({images.media[p.first].media_id, images.media[p.second].media_id,
                              images.media[p.first].path, images.media[p.second].path, "image", p.distance});
    }
    for (const Removal& r : resolve_duplicates(as_candidates(images), image_pairs)) {
      rows.push_back({r.removed_media_id, r.kept_media_id, r.distance, *report.threshold});
    }
    // Videos (M8): close thumbnails and the same timing.
    std::map<std::string, storage::VideoInfoRow> info;
    for (const storage::VideoInfoRow& row : storage::load_video_info(db)) info[row.content_hash] = row;
    std::vector<MatchedPair> video_pairs;
    for (const NeighbourPair& p : pairs_within(stack(videos.embeddings), *report.threshold)) {
      const auto a = info.find(videos.media[p.first].content_hash);
      const auto b = info.find(videos.media[p.second].content_hash);
      if (a == info.end() || b == info.end()) continue;
      if (!same_video_timing(a->second.duration, a->second.frame_rate, b->second.duration, b->second.frame_rate)) {
        continue;
      }
      video_pairs.push_back({p.first, p.second, p.distance});
      report.pairs.push_back({videos.media[p.first].media_id, videos.media[p.second].media_id,
                              videos.media[p.first].path, videos.media[p.second].path, "video", p.distance});
    }
    for (const Removal& r : resolve_duplicates(as_candidates(videos), video_pairs)) {
      rows.push_back({r.removed_media_id, r.kept_media_id, r.distance, *report.threshold});
    }
  }
  report.removed = static_cast<int>(rows.size());
  storage::Transaction transaction(db);
  storage::replace_duplicates(db, feature_set_id, rows);
  fault_point("dedup.before_commit");
  storage::save_dedup_run(db, {feature_set_id, report.threshold, report.suggested, report.explanation, report.images,
                               report.videos, report.removed});
  transaction.commit();
  return report;
}

}  // namespace popsweep::features
