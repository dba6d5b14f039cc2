#include "orchestrator/spec.h"

#include "common/error.h"
#include "worker/nets/backbone_blocks.h"
#include "worker/nets/builtin_weights.h"

namespace popsweep::orchestrator {
namespace {

class Reader {
 public:
  explicit Reader(const SpecValues& values) : values_(values) {}
  std::string text(const std::string& path) const { return std::get<std::string>(values_.at(path)); }
  std::int64_t integer(const std::string& path) const { return std::get<std::int64_t>(values_.at(path)); }
  int small_integer(const std::string& path) const { return static_cast<int>(integer(path)); }
  double number(const std::string& path) const { return std::get<double>(values_.at(path)); }
  bool boolean(const std::string& path) const { return std::get<bool>(values_.at(path)); }
  std::vector<std::string> texts(const std::string& path) const {
    return std::get<std::vector<std::string>>(values_.at(path));
  }
  std::vector<int> integers(const std::string& path) const {
    std::vector<int> out;
    for (const std::int64_t v : std::get<std::vector<std::int64_t>>(values_.at(path))) out.push_back(static_cast<int>(v));
    return out;
  }
  std::optional<double> number_or_auto(const std::string& path) const {
    const SpecValue& value = values_.at(path);
    if (const double* d = std::get_if<double>(&value)) return *d;
    return std::nullopt;
  }

 private:
  const SpecValues& values_;
};

// train.finetune_blocks > 0 trains the backbone's last blocks on every
// epoch's augmented pixels, behind the image head only.
void check_finetuning(const Spec& spec, const std::string& where) {
  const int blocks = spec.train.finetune_blocks;
  if (blocks == 0) return;
  const std::string key = where + "train.finetune_blocks " + std::to_string(blocks) + ": ";
  if (spec.train.mode != "pixels") {
    throw ConfigError(key +
                      "fine-tuning runs the images through the backbone every epoch, but train.mode is " +
                      spec.train.mode + ": set train.mode: pixels");
  }
  if (spec.train.inputs != "visual") {
    throw ConfigError(key + "fine-tuning trains the image head on the backbone alone, but train.inputs is " +
                      spec.train.inputs + ": set train.inputs: visual");
  }
  for (const std::string& experiment : spec.train.experiments) {
    if (experiment != "image") {
      throw ConfigError(key + "only the image experiment fine-tunes, but train.experiments lists " +
                        experiment + ": set train.experiments: [image]");
    }
  }
  const int count = nets::backbone_block_count(spec.features.backbone);
  if (blocks > count) {
    throw ConfigError(key + spec.features.backbone + " has " + std::to_string(count) + " blocks");
  }
}

}  // namespace

Spec make_spec(const SpecValues& values, const std::string& source_name) {
  const Reader read(values);
  Spec spec;
  spec.name = read.text("name");
  spec.seed = read.integer("seed");
  spec.database = read.text("database");
  if (spec.database.empty()) spec.database = spec.name + ".db";

  spec.profile = {read.text("profile.path"),         read.text("profile.format"),
                  read.text("profile.followers"),    read.text("profile.exclude"),
                  read.text("profile.synth.preset"), read.integer("profile.synth.seed"),
                  read.texts("profile.paths"),       read.integer("profile.synth.template_posts")};
  spec.labels = {read.number("labels.window_weeks"), read.text("labels.mode"),
                 read.small_integer("labels.follower_fit_points")};
  spec.features = {read.text("features.backbone"),         read.text("features.weights"),
                   read.integer("features.weights_seed"),   read.small_integer("features.image_size"),
                   read.small_integer("features.views"),    read.boolean("features.jpeg_dct_scaling"),
                   read.small_integer("features.batch"),
                   read.small_integer("features.shards")};
  spec.dedup = {read.boolean("dedup.enabled"),          read.number_or_auto("dedup.threshold"),
                read.boolean("dedup.verify"),           read.boolean("dedup.verify_mirror"),
                read.number("dedup.verify_max_block_difference"), read.number("dedup.verify_candidate_factor")};
  spec.train = {read.texts("train.experiments"), read.integers("train.classes"),  read.small_integer("train.folds"),
                read.small_integer("train.repeats"), read.small_integer("train.epochs"), read.number("train.lr"),
                read.small_integer("train.batch_size"), read.text("train.mode"),
                read.text("train.split"), read.number_or_auto("train.time_gap_weeks")};
  spec.run = {read.small_integer("run.workers"), read.small_integer("run.threads_per_worker"),
              read.small_integer("run.max_attempts"), read.number("run.job_timeout_minutes"), read.text("run.device"),
              read.number("run.checkpoint_minutes")};
  spec.run.stop_grace_seconds = read.number("run.stop_grace_seconds");
  spec.run.ranks_per_job = read.small_integer("run.ranks_per_job");
  spec.run.collective_backend = read.text("run.collective_backend");
  spec.context = {read.text("context.time_zone"), read.small_integer("context.history_posts")};
  spec.train.inputs = read.text("train.inputs");
  spec.train.finetune_blocks = read.small_integer("train.finetune_blocks");
  spec.train.finetune_lr = read.number_or_auto("train.finetune_lr");

  const std::string where = source_name + ": ";
  // A study names its profiles in profile.paths; each of its points has one in profile.path.
  if (!spec.profile.paths.empty() && !spec.profile.synth_preset.empty()) {
    throw ConfigError(where +
                      "profile.paths (a study) and profile.synth.preset exclude each other: give one");
  }
  // profile.followers names one file, and each profile has its own followers.
  if (!spec.profile.paths.empty() && spec.profile.format == "instaloader") {
    throw ConfigError(where +
                      "profile.paths (a study) reads profiles in the popsweep layout, each with its own "
                      "followers.csv; profile.format instaloader would give every profile the same "
                      "profile.followers");
  }
  if (spec.profile.paths.empty() && spec.profile.path.empty() == spec.profile.synth_preset.empty()) {
    throw ConfigError(where + "give exactly one of profile.path (your profile) and profile.synth.preset "
                              "(a generated one)");
  }
  if (spec.profile.format == "instaloader" && spec.profile.followers.empty()) {
    throw ConfigError(where + "profile.format instaloader needs profile.followers (a date,followers CSV)");
  }
  if (const std::string fixed = nets::architecture_fixed_by_weights(spec.features.weights);
      !fixed.empty() && fixed != spec.features.backbone) {
    throw ConfigError(where + "features.weights " + spec.features.weights + " are weights for " + fixed +
                      ", but features.backbone is " + spec.features.backbone + ": set features.backbone: " + fixed +
                      " or other weights");
  }
  if (spec.train.split == "time" && spec.labels.mode != "trailing") {
    throw ConfigError(where + "train.split time predicts each post from earlier posts only, but labels.mode " +
                      spec.labels.mode + " ranks a post against posts published after it, so its labels " +
                      "look into the future: set labels.mode: trailing");
  }
  if (spec.train.inputs != "visual" && spec.labels.mode != "trailing") {
    throw ConfigError(
        where + "train.inputs " + spec.train.inputs + " gives the model the profile's recent " +
        "popularity and follower count, but labels.mode " + spec.labels.mode + " ranks a post " +
        "against posts published after it, so the context can predict a class from the future " +
        "side of its window and the accuracy would be biased: set labels.mode: trailing");
  }
  check_finetuning(spec, where);
  return spec;
}

double resolved_finetune_lr(const Spec& spec) {
  return spec.train.finetune_lr ? *spec.train.finetune_lr : spec.train.lr / 10;
}

double resolved_time_gap_weeks(const Spec& spec) {
  return spec.train.time_gap_weeks ? *spec.train.time_gap_weeks : spec.labels.window_weeks;
}

}  // namespace popsweep::orchestrator
