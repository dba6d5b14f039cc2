// The typed form of one point of an experiment spec: one struct per section,
// built from the validated flat values (spec_loader.h) and checked for the
// rules that span several keys.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "orchestrator/spec_values.h"

namespace popsweep::orchestrator {

struct ProfileSpec {
  std::string path;
  std::string format;
  std::string followers;
  std::string exclude;
  std::string synth_preset;  // empty: read `path`
  std::int64_t synth_seed = 1;
  std::vector<std::string> paths;  // profile.paths: a study (study_profiles.h); `path` is one of them
  std::int64_t synth_template_posts = 0;  // profile.synth.template_posts
};

struct LabelSpec {
  double window_weeks = 8;
  std::string mode;
  int follower_fit_points = 8;
};

// The context vector's settings (issue 18, worker/context/).
struct ContextSpec {
  std::string time_zone = "UTC";
  int history_posts = 10;
};

struct FeatureSpec {
  std::string backbone;
  std::string weights;  // a file, or "random"
  std::int64_t weights_seed = 0;
  int image_size = 224;
  int views = 0;
  bool jpeg_dct_scaling = true;
  int batch = 32;
  int shards = 4;
};

struct DedupSpec {
  bool enabled = true;
  std::optional<double> threshold;  // nullopt: use the suggested one
  bool verify = false;                // pixel verification of the candidates (issue 21)
  bool verify_mirror = false;
  double verify_max_block_difference = 14.0;
  double verify_candidate_factor = 5.0;
};

struct TrainSpec {
  std::vector<std::string> experiments;
  std::vector<int> classes;
  int folds = 5;
  int repeats = 3;
  int epochs = 15;
  double lr = 0.001;
  int batch_size = 32;
  std::string mode;
  std::string split = "post";            // media, post or time (split_protocol.h)
  std::optional<double> time_gap_weeks;  // nullopt: the label window
  std::string inputs = "visual";         // visual, context or visual+context
  int finetune_blocks = 0;               // the backbone's last blocks trained (0: frozen, the paper)
  std::optional<double> finetune_lr = std::nullopt;  // nullopt: a tenth of lr
};

struct RunSpec {
  int workers = 0;
  int threads_per_worker = 0;
  int max_attempts = 3;
  double job_timeout_minutes = 120;
  std::string device;
  double checkpoint_minutes = 10;  // a training job's resume state is saved this often
  double stop_grace_seconds = 90;
  int ranks_per_job = 1;                    // a training job's data-parallel gang
  std::string collective_backend = "auto";  // auto, gloo or nccl
};

struct Spec {
  std::string name;
  std::int64_t seed = 1;
  std::string database;
  ProfileSpec profile;
  LabelSpec labels;
  ContextSpec context;
  FeatureSpec features;
  DedupSpec dedup;
  TrainSpec train;
  RunSpec run;
};

// train.time_gap_weeks, with `auto` resolved to the label window.
double resolved_time_gap_weeks(const Spec& spec);
// train.finetune_lr, `auto` resolved: a tenth of train.lr.
double resolved_finetune_lr(const Spec& spec);

// Throws ConfigError naming the keys when a rule across keys fails (for
// example neither profile.path nor profile.synth.preset set).
Spec make_spec(const SpecValues& values, const std::string& source_name);

}  // namespace popsweep::orchestrator
