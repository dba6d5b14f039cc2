#include "reports/trained_models.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/error.h"
#include "common/sha256.h"
#include "storage/job_tables.h"
#include "storage/result_tables.h"
#include "worker/nets/backbone_split.h"
#include "worker/nets/builtin_weights.h"

namespace popsweep::reports {
namespace {

constexpr const char* kRandomPrefix = "random:";

storage::SweepRow find_sweep_by_name_or_id(storage::Database& db, const std::string& sweep) {
  std::optional<storage::SweepRow> found = storage::find_sweep(db, sweep);
  const bool numeric = !sweep.empty() && std::all_of(sweep.begin(), sweep.end(), ::isdigit);
  if (!found && numeric) found = storage::find_sweep(db, std::stoll(sweep));
  if (!found) throw ConfigError("no sweep named '" + sweep + "' in the database");
  return *found;
}

std::shared_ptr<train::HeadImpl> best_head(storage::Database& db, std::int64_t job_id,
                                           train::Architecture architecture, int classes) {
  const std::optional<storage::CheckpointRow> checkpoint = storage::load_checkpoint(db, job_id, "best");
  if (!checkpoint) return nullptr;
  return train::load_head(architecture, classes, checkpoint->data);
}

// Keeps the backbone of the first model and insists the others match it.
void adopt_identity(KeptModels& kept, const BackboneIdentity& identity, std::int64_t job_id) {
  if (kept.models.empty()) {
    kept.identity = identity;
  } else if (!(kept.identity == identity)) {
    throw ConfigError("job " + std::to_string(job_id) + " was trained on other features (" +
                      identity.weights_hash + ", " + std::to_string(identity.image_size) + " px) than job " +
                      std::to_string(kept.models.front().job_id) + " (" + kept.identity.weights_hash + ", " +
                      std::to_string(kept.identity.image_size) + " px); score them separately");
  }
}

// The sweep's train jobs of one experiment and class count, whatever their status.
std::vector<storage::JobRow> train_jobs_of(storage::Database& db, std::int64_t sweep_id, const std::string& experiment,
                                           int classes) {
  std::vector<storage::JobRow> jobs;
  for (storage::JobRow& job : storage::load_sweep_jobs(db, sweep_id)) {
    if (job.stage != "train") continue;
    const nlohmann::json params = nlohmann::json::parse(job.params);
    if (params.value("experiment", std::string()) == experiment && params.value("classes", 0) == classes)
      jobs.push_back(std::move(job));
  }
  return jobs;
}

}  // namespace

std::vector<std::shared_ptr<train::HeadImpl>> KeptModels::heads() const {
  std::vector<std::shared_ptr<train::HeadImpl>> all;
  for (const KeptModel& model : models) all.push_back(model.head);
  return all;
}

BackboneIdentity backbone_identity_of_job(std::int64_t job_id, const std::string& job_params) {
  const std::string where = "job " + std::to_string(job_id) + " params: ";
  try {
    const nlohmann::json features = nlohmann::json::parse(job_params).at("features");
    BackboneIdentity identity;
    identity.name = features.at("backbone").get<std::string>();
    identity.weights_hash = features.at("weights_hash").get<std::string>();
    identity.image_size = features.at("image_size").get<int>();
    identity.finetune_blocks = nlohmann::json::parse(job_params)
                                   .value("train", nlohmann::json::object())
                                   .value("finetune_blocks", 0);
    return identity;
  } catch (const nlohmann::json::exception& error) {
    throw ConfigError(where + "no usable features.backbone, features.weights_hash, features.image_size (" +
                      error.what() + ")");
  }
}

namespace {

// Fine-tuned models (train.finetune_blocks) read the frozen prefix's
// activations; their heads hold the rest of the backbone.
std::unique_ptr<nets::FrozenBackbone> load_for(const nets::BackboneSpec& spec,
                                               const BackboneIdentity& identity) {
  if (identity.finetune_blocks > 0)
    return nets::load_backbone_prefix(spec, identity.finetune_blocks, identity.image_size);
  return nets::load_backbone(spec);
}

}  // namespace

std::unique_ptr<nets::FrozenBackbone> load_identified_backbone(const BackboneIdentity& identity,
                                                               const std::string& weights_path,
                                                               const std::string& device) {
  nets::BackboneSpec spec;
  spec.name = identity.name;
  spec.device = device;
  if (identity.weights_hash.rfind(kRandomPrefix, 0) == 0) {
    spec.weights = "random";
    spec.random_seed = std::stoull(identity.weights_hash.substr(std::string(kRandomPrefix).size()));
    return load_for(spec, identity);
  }
  // Weights compiled into the binary need no file: their identity finds them.
  if (const std::string builtin = nets::builtin_weights_with_sha256(identity.weights_hash);
      !builtin.empty() && (weights_path.empty() || nets::is_builtin_weights(weights_path))) {
    spec.weights = builtin;
    return load_for(spec, identity);
  }
  if (weights_path.empty()) {
    throw ConfigError("the models were trained on " + identity.name +
                      " features of the weight file with SHA-256 " + identity.weights_hash +
                      "; give that file with --weights");
  }
  const std::string actual = sha256_file_hex(weights_path);
  if (actual != identity.weights_hash) {
    throw ConfigError("--weights " + weights_path + " has SHA-256 " + actual +
                      ", but the models were trained on " + identity.weights_hash +
                      "; give the weight file the sweep used");
  }
  spec.weights = weights_path;
  return load_for(spec, identity);
}

KeptModels load_kept_models(storage::Database& db, const std::string& sweep, const std::string& experiment, int classes,
                            const std::vector<PointSetting>& point, const std::string& weights_path,
                            const std::string& device) {
  KeptModels kept;
  kept.experiment = experiment;
  kept.architecture = train::parse_architecture(experiment);
  kept.classes = classes;
  const storage::SweepRow row = find_sweep_by_name_or_id(db, sweep);
  const std::vector<storage::JobRow> jobs = train_jobs_of(db, row.id, experiment, classes);
  if (jobs.empty()) {
    throw ConfigError("sweep '" + row.name + "' has no " + experiment + " training job for " + std::to_string(classes) +
                      " classes");
  }
  const std::map<std::int64_t, std::string> point_of_job = storage::load_sweep_points(db, row.id);
  std::vector<std::string> points;
  for (const storage::JobRow& job : jobs) {
    const std::string& job_point = point_of_job.at(job.id);
    if (std::find(points.begin(), points.end(), job_point) == points.end()) points.push_back(job_point);
  }
  kept.point = choose_sweep_point(points, point, row.name);
  for (const storage::JobRow& job : jobs) {
    if (job.status != storage::JobStatus::Done || point_of_job.at(job.id) != kept.point) continue;
    std::shared_ptr<train::HeadImpl> head = best_head(db, job.id, kept.architecture, classes);
    if (!head) {
      spdlog::warn("job {} is done but has no best checkpoint; left out", job.id);
      continue;
    }
    adopt_identity(kept, backbone_identity_of_job(job.id, job.params), job.id);
    kept.models.push_back({job.id, std::move(head)});
  }
  if (kept.models.empty()) {
    throw ConfigError("sweep '" + row.name + "' has no finished " + experiment + " model for " +
                      std::to_string(classes) + " classes at " + point_arguments(kept.point));
  }
  kept.backbone = load_identified_backbone(kept.identity, weights_path, device);
  return kept;
}

KeptModels load_job_model(storage::Database& db, std::int64_t job_id, const std::string& weights_path,
                          const std::string& device) {
  const std::optional<storage::JobRow> job = storage::find_job(db, job_id);
  if (!job || job->stage != "train")
    throw ConfigError("no train job " + std::to_string(job_id) + " in the database");
  if (job->status != storage::JobStatus::Done) {
    throw ConfigError("train job " + std::to_string(job_id) + " is " + storage::to_string(job->status) +
                      ", not done: it has no kept model");
  }
  const nlohmann::json params = nlohmann::json::parse(job->params);
  KeptModels kept;
  kept.experiment = params.at("experiment").get<std::string>();
  kept.architecture = train::parse_architecture(kept.experiment);
  kept.classes = params.at("classes").get<int>();
  std::shared_ptr<train::HeadImpl> head = best_head(db, job_id, kept.architecture, kept.classes);
  if (!head) throw ConfigError("train job " + std::to_string(job_id) + " has no best checkpoint");
  kept.identity = backbone_identity_of_job(job_id, job->params);
  kept.models.push_back({job_id, std::move(head)});
  kept.backbone = load_identified_backbone(kept.identity, weights_path, device);
  return kept;
}

torch::Tensor model_input(train::Architecture architecture, const torch::Tensor& embeddings) {
  if (embeddings.dim() != 2 || embeddings.size(0) < 1) {
    throw Error("model input: expected [frames, features] embeddings, got " + c10::str(embeddings.sizes()));
  }
  const int64_t frames = embeddings.size(0);
  switch (architecture) {
    case train::Architecture::kImage:
      return embeddings.slice(0, 0, 1);
    case train::Architecture::kVideoToImage:
      return train::maximum_over_frames(embeddings).unsqueeze(0);
    case train::Architecture::kCnnRnn:
    case train::Architecture::kImageToVideo:
      if (frames == 1) return train::static_sequences(embeddings);
      if (frames != train::kVideoFrames) {
        throw Error("model input: a sequence model needs 1 or " + std::to_string(train::kVideoFrames) +
                    " frames, got " + std::to_string(frames));
      }
      return embeddings.unsqueeze(0);
  }
  throw Error("model input: unknown architecture");
}

}  // namespace popsweep::reports
