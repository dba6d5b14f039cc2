// The models a sweep kept (M18: each train job's best-epoch checkpoint),
// loaded back as heads beside the frozen backbone whose embeddings they were
// trained on, for Grad-CAM (M20) and for scoring new posts (`predict`).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "reports/sweep_point_choice.h"
#include "worker/nets/backbone.h"
#include "worker/train/architecture.h"
#include "worker/train/heads.h"

namespace popsweep::storage {
class Database;
}

namespace popsweep::reports {

// What decides a job's embeddings: its params' "features" section.
struct BackboneIdentity {
  std::string name;          // "efficientnet_b0"
  std::string weights_hash;  // "random:<seed>" or the SHA-256 of the weight file
  int image_size = 224;      // M11's input side
  // train.finetune_blocks: the models hold the backbone's last k blocks, and
  // the backbone loaded for them is the frozen rest (backbone_split.h).
  int finetune_blocks = 0;
  bool operator==(const BackboneIdentity& other) const {
    return name == other.name && weights_hash == other.weights_hash && image_size == other.image_size &&
           finetune_blocks == other.finetune_blocks;
  }
};

// Reads it from a train job's params JSON; a ConfigError names a missing field.
BackboneIdentity backbone_identity_of_job(std::int64_t job_id, const std::string& job_params);

// Rebuilds the backbone. Random weights come from the recorded seed; pretrained
// ones need `weights_path`, and its SHA-256 must equal the recorded hash, since
// heads read features of those exact weights (ConfigError otherwise).
std::unique_ptr<nets::FrozenBackbone> load_identified_backbone(const BackboneIdentity& identity,
                                                               const std::string& weights_path,
                                                               const std::string& device = "cpu");

struct KeptModel {
  std::int64_t job_id = 0;
  std::shared_ptr<train::HeadImpl> head;
};

struct KeptModels {
  std::string experiment;
  std::string point = "{}";  // the sweep point the models were trained at (JSON of the swept keys' values)
  train::Architecture architecture = train::Architecture::kImage;
  int classes = 2;
  BackboneIdentity identity;
  std::unique_ptr<nets::FrozenBackbone> backbone;
  std::vector<KeptModel> models;

  std::vector<std::shared_ptr<train::HeadImpl>> heads() const;
};

// Every done train job of the sweep (name or id) with this experiment and
// class count at one sweep point, with its best checkpoint. `point` chooses
// the point (sweep_point_choice.h; empty where the sweep has one). ConfigError
// when the choice is not one point, when the point has no finished model, or
// when its jobs were trained on different features (then one backbone cannot
// serve them all: explain single jobs).
KeptModels load_kept_models(storage::Database& db, const std::string& sweep, const std::string& experiment,
                            int classes, const std::vector<PointSetting>& point,
                            const std::string& weights_path, const std::string& device = "cpu");

// One done train job's best model (`explain --job`).
KeptModels load_job_model(storage::Database& db, std::int64_t job_id, const std::string& weights_path,
                          const std::string& device = "cpu");

// What a head takes, from one medium's backbone embeddings [F, 1280] (F = 1
// for an image, 15 for a video's M12 frames):
//   image           [1, 1280]: the image itself; for a video its first frame,
//                   the stand-in thumbnail of M8, since M14 never saw videos
//   video_to_image  [1, 1280]: the maximum over frames (M17); an image is its own maximum
//   cnn_rnn, image_to_video  [1, 15, 1280]: the frames, or an image as a static sequence (M16)
torch::Tensor model_input(train::Architecture architecture, const torch::Tensor& embeddings);

}  // namespace popsweep::reports
