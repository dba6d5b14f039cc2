#include "orchestrator/stages/train_job.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>

#include "common/error.h"
#include "orchestrator/stages/backbone_cache.h"
#include "orchestrator/stages/training_dataset.h"
#include "worker/features/pixel_views.h"
#include "worker/features/sequence_views.h"
#include "worker/media/image_decoder.h"
#include "worker/media/image_preprocess.h"
#include "worker/media/video_frame_sampler.h"
#include "worker/nets/backbone_split.h"
#include "worker/train/context_join.h"
#include "worker/train/finetune_inputs.h"
#include "worker/train/job_data.h"
#include "worker/train/metrics.h"
#include "worker/train/process_group.h"
#include "worker/train/split_protocol.h"
#include "worker/train/trainer.h"

namespace popsweep::orchestrator {
namespace {

// A dataset as tensors, built once per worker and shared by its jobs.
struct DatasetTensors {
  TrainingDataset dataset;
  torch::Tensor image_views;    // [images, stored views, dim]; view 0 is the plain image
  torch::Tensor videos;         // [videos, 15, dim]
  torch::Tensor image_context;  // [images, features], NaN = missing; undefined without context
  torch::Tensor video_context;  // [videos, features]
};

class DatasetTensorCache {
 public:
  std::shared_ptr<const DatasetTensors> get(const std::string& key, const DatasetCache& datasets) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto found = tensors_.find(key);
    if (found != tensors_.end()) return found->second;
    auto tensors = std::make_shared<DatasetTensors>();
    tensors->dataset = read_training_dataset(*datasets.get(key));
    const TrainingDataset& d = tensors->dataset;
    tensors->image_views = torch::from_blob(const_cast<float*>(d.image_features.data()),
                                            {static_cast<int64_t>(d.image_ids.size()), d.views, d.dim}, torch::kFloat32);
    tensors->videos = torch::from_blob(const_cast<float*>(d.video_frames.data()),
                                       {static_cast<int64_t>(d.video_ids.size()), train::kVideoFrames, d.dim},
                                       torch::kFloat32);
    if (!d.context_features.empty()) {
      const auto width = static_cast<int64_t>(d.context_features.size());
      tensors->image_context =
          torch::from_blob(const_cast<float*>(d.image_context.data()),
                           {static_cast<int64_t>(d.image_ids.size()), width}, torch::kFloat32);
      tensors->video_context =
          torch::from_blob(const_cast<float*>(d.video_context.data()),
                           {static_cast<int64_t>(d.video_ids.size()), width}, torch::kFloat32);
    }
    tensors_.emplace(key, tensors);
    return tensors;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const DatasetTensors>> tensors_;
};

// train.mode pixels: a dataset's images, and its videos' frames (M12),
// decoded and resized once per worker and side, 8-bit (3 x S x S bytes an
// image, 15 times that a video), then kept for every epoch of its jobs.
template <typename Decoded>
class DecodedMediaCache {
 public:
  std::shared_ptr<const Decoded> get(const std::string& key, int size,
                                     const std::function<Decoded()>& decode) {
    std::lock_guard<std::mutex> lock(mutex_);
    const std::string sized_key = key + "@" + std::to_string(size);
    auto found = decoded_.find(sized_key);
    if (found != decoded_.end()) return found->second;
    auto decoded = std::make_shared<const Decoded>(decode());
    decoded_.emplace(sized_key, decoded);
    return decoded;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const Decoded>> decoded_;
};

struct DecodedMedia {
  DecodedMediaCache<std::vector<media::RgbImage>> images;
  DecodedMediaCache<std::vector<features::FrameSequence>> videos;
};

std::vector<media::RgbImage> decode_images(const TrainingDataset& dataset, int size) {
  std::vector<media::RgbImage> images;
  for (const std::string& path : dataset.image_paths) {
    images.push_back(media::resize_bilinear(media::decode_image_file(path), size, size));
  }
  return images;
}

// The frames extraction embedded (M12), resized as it resized them.
std::vector<features::FrameSequence> decode_video_frames(const TrainingDataset& dataset, int size) {
  std::vector<features::FrameSequence> videos;
  for (size_t v = 0; v < dataset.video_ids.size(); ++v) {
    if (v >= dataset.video_paths.size() || dataset.video_paths[v].empty()) {
      throw Error("train.mode pixels: the dataset names no file for video " +
                  std::to_string(dataset.video_ids[v]) +
                  " (a coordinator older than frame augmentation sent it)");
    }
    features::FrameSequence frames;
    for (const media::RgbImage& frame :
         media::sample_video_frames(dataset.video_paths[v], train::kVideoFrames)) {
      frames.push_back(media::resize_bilinear(frame, size, size));
    }
    videos.push_back(std::move(frames));
  }
  return videos;
}

// M14 as the paper ran it, for every medium the job trains on: fresh
// augmentations through the backbone every epoch (one draw per image, one per
// video's frame sequence).
void use_pixels_mode(const Message& job, const TrainingDataset& d, BackboneCache& backbones,
                     DecodedMedia& decoded, const WorkerEnvironment& environment,
                     train::Architecture architecture, std::uint64_t seed, train::JobData& data) {
  const nlohmann::json& features = job.header.at("params").at("features");
  nets::FrozenBackbone& backbone = backbones.get(
      backbone_spec_of(features, job.header.value("weights_path", std::string()), environment.device));
  const int size = features.at("image_size").get<int>();
  const std::string key = job.header.at("dataset").get<std::string>();
  train::PixelEmbedders embed;
  if (!data.training_images.empty()) {
    auto views = std::make_shared<features::PixelViewSampler>(
        backbone, decoded.images.get(key, size, [&] { return decode_images(d, size); }), seed);
    embed.images = [views](int epoch, const std::vector<std::int64_t>& images) {
      return views->embeddings(epoch, images);
    };
  }
  if (!data.training_videos.empty()) {
    auto views = std::make_shared<features::SequenceViewSampler>(
        backbone, decoded.videos.get(key, size, [&] { return decode_video_frames(d, size); }),
        train::kVideoFrames, seed);
    embed.videos = [views](int epoch, const std::vector<std::int64_t>& videos) {
      return views->embeddings(epoch, videos);
    };
  }
  train::use_pixel_views(data, architecture, std::move(embed));
}

// train.finetune_blocks: augmented pixels through the frozen prefix every
// epoch, the tail trained with the head. Images only (the spec refuses the rest).
nets::BackboneSplit use_finetune_mode(const Message& job, const TrainingDataset& d, DecodedMedia& decoded,
                                      const WorkerEnvironment& environment, train::Architecture architecture,
                                      std::uint64_t seed, int blocks, train::JobData& data) {
  const nlohmann::json& features = job.header.at("params").at("features");
  const int size = features.at("image_size").get<int>();
  nets::BackboneSplit split = nets::split_backbone(
      backbone_spec_of(features, job.header.value("weights_path", std::string()), environment.device), blocks,
      size);
  const std::string key = job.header.at("dataset").get<std::string>();
  auto images = decoded.images.get(key, size, [&] { return decode_images(d, size); });
  auto views = std::make_shared<features::PixelViewSampler>(*split.prefix, images, seed);
  train::use_finetune_inputs(data, architecture, *split.prefix, *images);
  train::PixelEmbedders embed;
  embed.images = [views](int epoch, const std::vector<std::int64_t>& rows) { return views->embeddings(epoch, rows); };
  train::use_pixel_views(data, architecture, std::move(embed));
  return split;
}

nlohmann::json number_or_null(double value) { return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(); }

nlohmann::json confusion_json(const std::vector<int>& truth, const std::vector<int>& predicted, int classes) {
  const train::ConfusionMatrix matrix = train::confusion_matrix(truth, predicted, classes);
  nlohmann::json rows = nlohmann::json::array();
  for (int t = 0; t < classes; ++t) {
    nlohmann::json row = nlohmann::json::array();
    for (int p = 0; p < classes; ++p) row.push_back(matrix.count(t, p));
    rows.push_back(row);
  }
  return rows;
}

std::string probabilities_blob(const train::ClassProbabilities& probabilities) {
  return floats_to_blob(std::vector<float>(probabilities.values.begin(), probabilities.values.end()));
}

torch::Tensor rows_of(const torch::Tensor& values, const std::vector<std::int64_t>& rows) {
  return values.index_select(0, torch::tensor(rows, torch::kLong));
}

// train.inputs context or visual+context: the context rows of the job's
// training items (images first, as JobData orders them) and validation
// items, joined to its inputs with the training rows' standardisation.
train::HeadInputs use_context(const nlohmann::json& params, const DatasetTensors& tensors,
                              train::Architecture architecture, train::JobData& data) {
  const train::InputSet set =
      train::parse_input_set(params.at("train").value("inputs", std::string("visual")));
  if (!train::reads_context(set)) return {};
  if (!tensors.image_context.defined()) {
    throw Error("train.inputs " + train::input_set_name(set) + ": the dataset holds no context vectors");
  }
  const torch::Tensor training = torch::cat({rows_of(tensors.image_context, data.training_images),
                                             rows_of(tensors.video_context, data.training_videos)});
  const torch::Tensor& validated =
      architecture == train::Architecture::kImage ? tensors.image_context : tensors.video_context;
  return train::use_context_inputs(data, architecture, set, training,
                                   rows_of(validated, data.validation_items));
}

train::TrainSettings settings_of(const nlohmann::json& params, const WorkerEnvironment& environment) {
  const nlohmann::json& train = params.at("train");
  train::TrainSettings settings;
  settings.epochs = train.at("epochs").get<int>();
  settings.batch_size = train.at("batch_size").get<int>();
  settings.adam.learning_rate = train.at("lr").get<double>();
  settings.threads = environment.threads;
  return settings;
}

Message result_message(const nlohmann::json& params, const train::JobData& job, const train::TrainOutcome& outcome,
                       const std::vector<std::int64_t>& validation_ids, const std::vector<int>& validation_classes) {
  const int classes = params.at("classes").get<int>();
  nlohmann::json history = nlohmann::json::array();
  for (const train::EpochMetrics& e : outcome.history) {
    history.push_back({e.epoch, e.train_loss, e.train_accuracy, number_or_null(e.validation_loss),
                       number_or_null(e.validation_accuracy)});
  }
  nlohmann::json predictions = nlohmann::json::array();
  for (size_t i = 0; i < validation_ids.size(); ++i) {
    predictions.push_back({validation_ids[i], validation_classes[i], outcome.best_predicted[i], outcome.last_predicted[i]});
  }
  nlohmann::json header = {
      {"experiment", params.at("experiment")},
      {"classes", classes},
      {"fold", params.at("fold")},
      {"repeat", params.at("repeat")},
      {"best_epoch", outcome.best_epoch},
      {"epochs_run", static_cast<int>(outcome.history.size())},
      {"accuracy_best", train::accuracy(validation_classes, outcome.best_predicted)},
      {"accuracy_last", train::accuracy(validation_classes, outcome.last_predicted)},
      {"majority_baseline", number_or_null(outcome.majority_baseline_accuracy)},
      {"training_majority_class", outcome.training_majority_class},
      {"confusion_best", confusion_json(validation_classes, outcome.best_predicted, classes)},
      {"confusion_last", confusion_json(validation_classes, outcome.last_predicted, classes)},
      {"train_items", static_cast<int>(job.data.train_classes.size())},
      {"val_items", static_cast<int>(validation_ids.size())},
      {"history", history},
      {"predictions", predictions},
      {"threads", outcome.threads}};
  if (classes > 2) {
    header["top2_best"] = train::top_k_accuracy(validation_classes, outcome.best_probabilities, 2);
    header["top2_last"] = train::top_k_accuracy(validation_classes, outcome.last_probabilities, 2);
  }
  Message message = make_message("result", header);
  message.blobs = {outcome.best_weights, probabilities_blob(outcome.best_probabilities),
                   probabilities_blob(outcome.last_probabilities)};
  return message;
}

// The split plan of a job. Jobs recorded before train.split existed carry no
// "split" and ran the paper's protocol, media.
train::SplitPlan split_plan_of(const nlohmann::json& params, const TrainingDataset& d, bool on_images) {
  const train::SplitProtocol protocol = train::parse_split_protocol(params.value("split", std::string("media")));
  const std::vector<int>& classes = on_images ? d.image_classes : d.video_classes;
  const std::vector<std::int64_t>& posts = on_images ? d.image_posts : d.video_posts;
  const std::vector<std::int64_t>& times = on_images ? d.image_posted_at : d.video_posted_at;
  std::vector<train::SplitItem> items;
  items.reserve(classes.size());
  for (size_t i = 0; i < classes.size(); ++i) items.push_back({classes[i], posts[i], times[i]});
  const double gap_weeks = params.value("time_gap_weeks", 0.0);
  return train::SplitPlan(protocol, std::move(items), params.at("folds").get<int>(),
                          params.at("fold_seed").get<std::uint64_t>(),
                          static_cast<std::int64_t>(std::llround(gap_weeks * 7 * 86400)));
}

// run.checkpoint_minutes: the resume state goes to the coordinator as a
// "partial" at the first epoch boundary that long after the job started or
// last saved, so a worker or node lost without warning (no stop signal, no
// safe point) costs at most about that much training. Resuming from any
// epoch boundary gives the uninterrupted numbers (trainer.h).
class PeriodicCheckpoint {
 public:
  // `interval_seconds` < 0: only at a stop signal, as jobs of older coordinators.
  PeriodicCheckpoint(double interval_seconds, const Emitter& emit)
      : interval_seconds_(interval_seconds), emit_(emit), last_save_(std::chrono::steady_clock::now()) {}

  void after_epoch(int epoch, const train::Trainer& trainer) {
    const auto now = std::chrono::steady_clock::now();
    if (interval_seconds_ < 0 || std::chrono::duration<double>(now - last_save_).count() < interval_seconds_)
      return;
    Message checkpoint = make_message("partial", {{"checkpoint_epoch", epoch}});
    checkpoint.blobs.push_back(trainer.save_resume_state());
    emit_(std::move(checkpoint));
    last_save_ = now;
  }

 private:
  double interval_seconds_;
  const Emitter& emit_;
  std::chrono::steady_clock::time_point last_save_;
};

// A job of a data-parallel gang (the "gang" the scheduler added): joins its
// process group, rank 0 first announcing the port of its rendezvous store
// to the coordinator; null for a job on one worker.
std::unique_ptr<train::Collective> join_gang_of(const Message& job, const WorkerEnvironment& environment,
                                                const Emitter& emit) {
  if (!job.header.contains("gang")) return nullptr;
  const nlohmann::json& gang = job.header.at("gang");
  train::GangMembership membership;
  membership.rank = gang.at("rank").get<int>();
  membership.size = gang.at("size").get<int>();
  membership.host = gang.at("host").get<std::string>();
  membership.bind = gang.value("bind", membership.host);
  membership.port = gang.value("port", std::uint16_t{0});
  membership.timeout = std::chrono::milliseconds(gang.at("timeout_ms").get<std::int64_t>());
  membership.backend = job.header.value("collective_backend", std::string("auto"));
  membership.device = environment.device.empty() ? std::string("cpu") : environment.device;
  return train::join_gang(membership, [&](std::uint16_t port) {
    emit(make_message("rendezvous", {{"port", port}, {"host", membership.host}}));
  });
}

}  // namespace

StageFunction make_train_job(std::shared_ptr<BackboneCache> backbones) {
  auto cache = std::make_shared<DatasetTensorCache>();
  auto decoded = std::make_shared<DecodedMedia>();
  return [cache, decoded, backbones](const Message& job, const DatasetCache& datasets,
                                     const WorkerEnvironment& environment,
                                     const std::function<bool()>& should_stop, const Emitter& emit) {
    const nlohmann::json& params = job.header.at("params");
    // First, so the other ranks are sent the job while this one loads its data.
    const std::unique_ptr<train::Collective> gang = join_gang_of(job, environment, emit);
    const bool answers = gang == nullptr || gang->rank() == 0;  // rank 0 answers for its gang
    const std::shared_ptr<const DatasetTensors> tensors = cache->get(job.header.at("dataset"), datasets);
    const TrainingDataset& d = tensors->dataset;
    const train::Architecture architecture = train::parse_architecture(params.at("experiment").get<std::string>());
    const int classes = params.at("classes").get<int>();
    const bool on_images = architecture == train::Architecture::kImage;

    // Folds over the medium the experiment is validated on (M19), under the
    // sweep point's split protocol.
    const std::vector<int>& fold_classes = on_images ? d.image_classes : d.video_classes;
    const std::vector<std::int64_t>& fold_ids = on_images ? d.image_ids : d.video_ids;
    const int folds = params.at("folds").get<int>();
    if (static_cast<int>(fold_classes.size()) < folds) {
      throw ConfigError("experiment " + params.at("experiment").get<std::string>() + " has " +
                        std::to_string(fold_classes.size()) + " labelled " + (on_images ? "images" : "videos") +
                        ", fewer than train.folds = " + std::to_string(folds));
    }
    const train::SplitPlan plan = split_plan_of(params, d, on_images);
    const int fold = params.at("fold").get<int>();
    const train::FoldMembers members = plan.members(fold);
    std::vector<std::int64_t> extra_images;
    if (train::mixes_media(architecture)) {
      for (size_t i = 0; i < d.image_ids.size(); ++i) {
        if (plan.may_also_train_on(fold, d.image_posts[i], d.image_posted_at[i])) {
          extra_images.push_back(static_cast<std::int64_t>(i));
        }
      }
    }
    const train::LabelledEmbeddings images{tensors->image_views.select(1, 0), d.image_classes};
    const train::LabelledEmbeddings videos{tensors->videos, d.video_classes};
    train::JobData data = train::assemble_job_data(architecture, images, videos, members, extra_images);
    const auto seed = job.header.at("seed").get<std::uint64_t>();
    const int finetune_blocks = params.at("train").value("finetune_blocks", 0);
    nets::BackboneSplit split;  // outlives training: the tail trains, the prefix embeds each epoch
    if (finetune_blocks > 0) {
      split = use_finetune_mode(job, d, *decoded, environment, architecture, seed, finetune_blocks, data);
    } else if (params.at("train").value("mode", std::string("features")) == "pixels") {
      use_pixels_mode(job, d, *backbones, *decoded, environment, architecture, seed, data);
    } else if (d.views > 1 && !train::takes_sequences(architecture)) {
      train::use_augmented_views(data, architecture, tensors->image_views.narrow(1, 1, d.views - 1), seed);
    }

    train::TrainSettings settings = settings_of(params, environment);
    if (finetune_blocks > 0) {
      settings.backbone_tail = split.tail;
      settings.backbone_learning_rate = params.at("train").at("finetune_lr").get<double>();
    }
    settings.inputs = use_context(params, *tensors, architecture, data);

    std::vector<std::int64_t> validation_ids;
    std::vector<int> validation_classes;
    for (const std::int64_t item : data.validation_items) {
      validation_ids.push_back(fold_ids[static_cast<size_t>(item)]);
      validation_classes.push_back(fold_classes[static_cast<size_t>(item)]);
    }

    std::string resume_state;
    if (job.header.contains("resume_epoch") && !job.blobs.empty()) {
      resume_state = job.blobs[0];
      // Said on stderr (the coordinator's log), so a lost node's cost shows.
      std::fprintf(stderr, "popsweep: job %s resumes from its checkpoint after epoch %d\n",
                   job.header.value("job_id", nlohmann::json()).dump().c_str(),
                   job.header.at("resume_epoch").get<int>());
    }
    std::string stopped_state;
    int stopped_epoch = 0;
    // A pruner's rung job: its trial may go on from where it ends.
    const bool keep_final_state = job.header.value("keep_final_state", false);
    std::string final_state;
    PeriodicCheckpoint periodic(job.header.value("checkpoint_seconds", -1.0), emit);
    settings.collective = gang.get();
    const train::TrainOutcome outcome = train::train(
        architecture, classes, data.data, settings, seed,
        [&](const train::EpochMetrics& metrics, const train::Trainer& trainer) {
          if (trainer.finished()) {
            if (keep_final_state) final_state = trainer.save_resume_state();
            return train::AfterEpoch::kContinue;
          }
          // A gang stops together, or the ranks that went on would wait in
          // their next all-reduce for the one that stopped.
          const bool stop = gang ? gang->any(should_stop()) : should_stop();
          if (!stop) {
            if (answers) periodic.after_epoch(metrics.epoch, trainer);
            return train::AfterEpoch::kContinue;
          }
          stopped_state = trainer.save_resume_state();
          stopped_epoch = metrics.epoch;
          return train::AfterEpoch::kStop;
        },
        resume_state);
    if (!answers) {
      // The same numbers as rank 0's (every rank takes the same steps): only a word that this rank is done.
      return make_message(outcome.completed ? "result" : "interrupted", {{"gang_rank", gang->rank()}});
    }
    if (!outcome.completed) {
      Message interrupted = make_message("interrupted", {{"epoch", stopped_epoch}});
      interrupted.blobs.push_back(stopped_state);
      return interrupted;
    }
    Message result = result_message(params, data, outcome, validation_ids, validation_classes);
    if (keep_final_state) result.blobs.push_back(std::move(final_state));
    // What the job trained on, for the reports' leakage audit.
    nlohmann::json training_ids = nlohmann::json::array();
    for (const std::int64_t image : data.training_images)
      training_ids.push_back(d.image_ids[static_cast<size_t>(image)]);
    for (const std::int64_t video : data.training_videos)
      training_ids.push_back(d.video_ids[static_cast<size_t>(video)]);
    result.header["training_ids"] = std::move(training_ids);
    return result;
  };
}

}  // namespace popsweep::orchestrator
