// What every training job of one (labels, features, dedup) combination
// reads: the labelled images with their stored views and the labelled videos
// with their frame sequences. The coordinator builds it once from the
// database and sends it once to each worker, which caches it; workers never
// open the database.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/error.h"
#include "orchestrator/message.h"

namespace popsweep::storage {
class Database;
}

namespace popsweep::orchestrator {

// The dataset's cache key for a train job's parameters.
std::string training_dataset_key(storage::Database& db, const nlohmann::json& train_params);
// Labelled media lack features without a reason: dedup kept them and no
// stage recorded them as unreadable. Says how many and which.
class MissingFeaturesError : public Error {
 public:
  using Error::Error;
};
// Throws MissingFeaturesError for such a gap.
Message build_training_dataset(storage::Database& db, const nlohmann::json& train_params);

// The worker's view of the message.
struct TrainingDataset {
  int classes = 2;
  int views = 1;  // stored per image: view 0 plain, 1.. augmented
  int dim = 1280;
  std::vector<std::int64_t> image_ids;
  std::vector<int> image_classes;
  std::vector<std::string> image_paths;  // for train.mode pixels
  std::vector<float> image_features;  // [images, views, dim]
  std::vector<std::int64_t> image_posts;  // a number per post, shared by its media
  std::vector<std::int64_t> image_posted_at;
  std::vector<std::int64_t> video_ids;
  std::vector<int> video_classes;
  std::vector<std::int64_t> video_posts;
  std::vector<std::int64_t> video_posted_at;
  std::vector<std::string> video_paths;  // for train.mode pixels (frame augmentation)
  std::vector<float> video_frames;  // [videos, 15, dim]
  int skipped = 0;                  // labelled media left out as unreadable (media_problems)
  // Jobs with context inputs (train.inputs): the context vector of each
  // item, [images, features] and [videos, features], NaN = missing.
  std::vector<std::string> context_features;
  std::vector<float> image_context;
  std::vector<float> video_context;
};
TrainingDataset read_training_dataset(const Message& message);

}  // namespace popsweep::orchestrator
