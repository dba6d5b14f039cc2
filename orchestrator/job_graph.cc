#include "orchestrator/job_graph.h"

#include <map>

#include "common/error.h"
#include "common/file_util.h"
#include "common/sha256.h"
#include "worker/nets/builtin_weights.h"
#include "worker/train/split_protocol.h"

namespace popsweep::orchestrator {

bool stage_runs_on_coordinator(const std::string& stage) {
  return stage == "ingest" || stage == "label" || stage == "dedup";
}

std::string PlannedJob::key() const { return stage + "-" + sha256_hex(stage + "|" + params.dump()).substr(0, 24); }

std::int64_t stable_seed(const std::string& text) {
  // 63 bits, so the seed is non-negative in every signed store.
  return static_cast<std::int64_t>(std::stoull(sha256_hex(text).substr(0, 16), nullptr, 16) >> 1);
}

nlohmann::json label_params(const Spec& spec, int classes, const GraphInputs& inputs) {
  const bool global = spec.labels.mode == "global";
  return {{"profile", inputs.profile_fingerprint},
          {"classes", classes},
          {"window_weeks", global ? 0.0 : spec.labels.window_weeks},
          {"mode", spec.labels.mode},
          {"follower_fit_points", spec.labels.follower_fit_points}};
}

nlohmann::json feature_set_params(const Spec& spec, const GraphInputs& inputs) {
  nlohmann::json params = {{"backbone", spec.features.backbone},
                           {"weights_hash", inputs.weights_hash},
                           {"image_size", spec.features.image_size},
                           {"views", spec.features.views},
                           {"view_seed", spec.features.views > 0 ? spec.seed : 0}};
  // Only when on, so the jobs and feature sets of the reference decoding keep
  // the keys they had before the setting existed.
  if (spec.features.jpeg_dct_scaling) params["jpeg_dct_scaling"] = true;
  return params;
}

void check_weights_fit_backbone(const Spec& spec) {
  const std::string& weights = spec.features.weights;
  std::string fitting;
  try {
    fitting = nets::architecture_fixed_by_weights(weights);
  } catch (const ConfigError& error) {
    throw ConfigError(std::string("features.weights: ") + error.what());
  }
  if (!fitting.empty() && fitting != spec.features.backbone) {
    throw ConfigError("features.weights: " + weights + " holds " + fitting +
                      " weights, but features.backbone is " + spec.features.backbone +
                      "; set features.backbone: " + fitting + ", or give " + spec.features.backbone +
                      " weights (a file, or `random`)");
  }
}

std::string weights_identity(const Spec& spec) {
  check_weights_fit_backbone(spec);
  if (spec.features.weights == "random") return "random:" + std::to_string(spec.features.weights_seed);
  // A builtin is named by its content, so a sweep on it shares its jobs with
  // one on the file it was built from.
  if (nets::is_builtin_weights(spec.features.weights)) {
    return nets::builtin_weights_sha256(nets::find_builtin_weights(spec.features.weights));
  }
  if (!file_exists(spec.features.weights)) {
    throw ConfigError("features.weights: " + spec.features.weights +
                      " does not exist (get torchvision's file with scripts/fetch-weights, use "
                      "`builtin:mobilenet_v2` with features.backbone: mobilenet_v2, or use `random`)");
  }
  return sha256_file_hex(spec.features.weights);
}

nlohmann::json dedup_params(const Spec& spec) {
  nlohmann::json params = {
      {"enabled", spec.dedup.enabled},
      {"threshold", spec.dedup.threshold ? nlohmann::json(*spec.dedup.threshold) : nlohmann::json("auto")}};
  // Only verification names itself, so jobs of the paper's rule keep the
  // keys (and so the identity) they had before it existed; with cleaning off
  // it changes nothing, so it stays out then too (it is on by default: jobs
  // of a sweep without dedup keep their keys, and their seeds with them).
  if (spec.dedup.enabled && spec.dedup.verify) {
    params["verify"] = {{"mirror", spec.dedup.verify_mirror},
                        {"max_block_difference", spec.dedup.verify_max_block_difference},
                        {"candidate_factor", spec.dedup.verify_candidate_factor}};
  }
  return params;
}

nlohmann::json train_job_params(const Spec& spec, const nlohmann::json& labels, const nlohmann::json& features,
                                const std::string& experiment, int classes, int fold, int repeat) {
  nlohmann::json params = {{"labels", labels},
          {"features", features},
          {"dedup", dedup_params(spec)},
          {"experiment", experiment},
          {"classes", classes},
          {"fold", fold},
          {"folds", spec.train.folds},
          {"repeat", repeat},
          // Folds depend only on the sweep seed and the repeat, so the video
          // experiments share their video folds (M19).
          {"fold_seed", stable_seed("folds|" + std::to_string(spec.seed) + "|" + std::to_string(repeat))},
          {"train", {{"epochs", spec.train.epochs},
                     {"lr", spec.train.lr},
                     {"batch_size", spec.train.batch_size},
                     {"mode", spec.train.mode}}}};
  // Only the newer protocols name themselves: jobs of the paper's protocol,
  // `media`, keep the keys they had before train.split existed, so old
  // databases resume without recomputing anything.
  if (spec.train.split != "media") params["split"] = spec.train.split;
  if (spec.train.split == "time") params["time_gap_weeks"] = resolved_time_gap_weeks(spec);
  // Likewise only fine-tuned models name their blocks and learning rate.
  if (spec.train.finetune_blocks > 0) {
    params["train"]["finetune_blocks"] = spec.train.finetune_blocks;
    params["train"]["finetune_lr"] = resolved_finetune_lr(spec);
  }
  // Likewise only context models name their inputs and the context settings.
  if (spec.train.inputs != "visual") {
    params["train"]["inputs"] = spec.train.inputs;
    params["context"] = {{"time_zone", spec.context.time_zone},
                         {"history_posts", spec.context.history_posts}};
  }
  return params;
}

std::int64_t train_job_seed(const Spec& spec, const nlohmann::json& train_params) {
  return stable_seed("train|" + std::to_string(spec.seed) + "|" + train_params.dump());
}

std::vector<PlannedJob> plan_jobs(const std::vector<Spec>& points, const GraphInputs& inputs,
                                  const std::vector<nlohmann::json>& swept_values) {
  std::vector<PlannedJob> jobs;
  std::map<std::string, size_t> index_of_key;
  auto add = [&](PlannedJob job) -> std::string {
    const std::string key = job.key();
    if (!index_of_key.count(key)) {
      index_of_key[key] = jobs.size();
      jobs.push_back(std::move(job));
    }
    return key;
  };

  for (size_t point = 0; point < points.size(); ++point) {
    const Spec& spec = points[point];
    const nlohmann::json swept =
        point < swept_values.size() ? swept_values[point] : nlohmann::json(nlohmann::json::object());
    // Extraction: one job per shard; every shard of one feature set feeds dedup.
    const nlohmann::json features = feature_set_params(spec, inputs);
    std::vector<std::string> extract_keys;
    for (int shard = 0; shard < spec.features.shards; ++shard) {
      PlannedJob extract{"extract",
                         {{"profile", inputs.profile_fingerprint},
                          {"features", features},
                          {"shard", shard},
                          {"shards", spec.features.shards}},
                         0,
                         {}};
      extract_keys.push_back(add(std::move(extract)));
    }
    const nlohmann::json dedup_settings = dedup_params(spec);
    const std::string dedup_key =
        add({"dedup", {{"profile", inputs.profile_fingerprint}, {"features", features}, {"dedup", dedup_settings}}, 0,
             extract_keys});

    for (const int classes : spec.train.classes) {
      const nlohmann::json labels = label_params(spec, classes, inputs);
      const std::string label_key = add({"label", labels, 0, {}});
      for (const std::string& experiment : spec.train.experiments) {
        for (int repeat = 0; repeat < spec.train.repeats; ++repeat) {
          // Under train.split time block 0 is never validated: it has no past.
          const int first_fold = train::SplitPlan::first_validated_fold(train::parse_split_protocol(spec.train.split));
          for (int fold = first_fold; fold < spec.train.folds; ++fold) {
            nlohmann::json params = train_job_params(spec, labels, features, experiment, classes, fold, repeat);
            const std::int64_t seed = train_job_seed(spec, params);
            add({"train", std::move(params), seed, {label_key, dedup_key}, swept});
          }
        }
      }
    }
  }
  return jobs;
}

}  // namespace popsweep::orchestrator
