// M7-M9 over a feature set: images matched by the Euclidean distance of
// their embeddings, videos by their thumbnail embeddings (the first frame's
// when a video has no thumbnail) plus equal duration and frame rate, and
// images against video thumbnails under the same threshold (a picture posted
// both as an image and as a video's cover); each group of duplicates, across
// media types, keeps one media (single post over carousel, then the most
// recent) and the others are recorded as removed, with their partner and
// distance.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "worker/features/duplicate_threshold.h"

namespace popsweep::storage {
class Database;
}

namespace popsweep::features {

// The kind of a pair whose first media is an image and second a video.
inline constexpr const char* kImageVideoPair = "image-video";

struct DuplicatePair {
  std::int64_t first_media_id = 0;
  std::int64_t second_media_id = 0;
  std::string first_path;
  std::string second_path;
  std::string media_type;  // "image", "video" or kImageVideoPair
  double distance = 0;
};

struct NearDuplicateReport {
  std::optional<double> threshold;
  bool suggested = false;
  std::string explanation;
  int images = 0;
  int videos = 0;
  int removed = 0;
  std::vector<double> image_nearest_distances;  // for the histogram (M7)
  std::vector<DuplicatePair> pairs;             // every pair under the threshold: images, videos,
                                                // then image-video, each closest first
};

// The search alone, writing nothing: what remove_near_duplicates would
// decide (the report's `removed` counts what it would remove). The leakage
// audit of the reports applies the same rule through it.
NearDuplicateReport find_near_duplicates(storage::Database& db, std::int64_t feature_set_id,
                                         std::optional<double> threshold);

// Runs the search, writes the removals and the run's summary in one
// transaction, and returns the report. `threshold` nullopt: suggested.
NearDuplicateReport remove_near_duplicates(storage::Database& db, std::int64_t feature_set_id,
                                           std::optional<double> threshold);

// Frame rates and durations "equal" for M8: re-encoding keeps the frame count
// and rate but may move the last timestamp by a frame.
bool same_video_timing(double duration_a, double rate_a, double duration_b, double rate_b);

}  // namespace popsweep::features
