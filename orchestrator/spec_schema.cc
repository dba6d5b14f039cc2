#include "orchestrator/spec_schema.h"

#include <fmt/format.h>

#include <algorithm>

#include "orchestrator/device_assignment.h"
#include "worker/context/profile_time_zone.h"

namespace popsweep::orchestrator {
namespace {

using Strings = std::vector<std::string>;
using Integers = std::vector<std::int64_t>;

SpecField field(std::string path, FieldKind kind, SpecValue default_value, std::string doc) {
  SpecField f{std::move(path), kind, std::move(default_value), std::move(doc), {}, {}, {}, true, true};
  return f;
}

SpecField bounded(SpecField f, std::optional<double> minimum, std::optional<double> maximum) {
  f.minimum = minimum;
  f.maximum = maximum;
  return f;
}

SpecField choice(std::string path, std::string default_value, Strings choices, std::string doc) {
  SpecField f = field(std::move(path), FieldKind::Choice, std::move(default_value), std::move(doc));
  f.choices = std::move(choices);
  return f;
}

SpecField device_field(std::string path, std::string default_value, std::string doc) {
  SpecField f = field(std::move(path), FieldKind::Text, std::move(default_value), std::move(doc));
  f.check_text = device_name_problem;
  return f;
}

SpecField text_checked_by(SpecField f, std::string (*check)(const std::string&)) {
  f.check_text = check;
  return f;
}

SpecField added_later(SpecField f, std::string value_as_before) {
  f.identity_omits_value = std::move(value_as_before);
  return f;
}

std::string profile_folder_problem(const std::string& path) {
  return path.empty() ? "an entry is empty: give a profile folder" : "";
}

// A study (issue 19): the same experiments on each profile, in one database.
SpecField study_profiles_field() {
  SpecField f = field("profile.paths", FieldKind::ChoiceList, Strings{},
                      "a study: profile folders to run the same experiments on, each with its own labels, in "
                      "one database; an entry ending in `/` stands for every profile folder in it. Exclusive "
                      "with profile.path and profile.synth.preset (docs/ORCHESTRATOR.md)");
  f.check_text = profile_folder_problem;
  f.sweepable = false;
  return added_later(f, "[]");
}

SpecField operational(SpecField f) {
  f.affects_results = false;
  f.sweepable = false;
  return f;
}

std::vector<SpecField> build_schema() {
  const Strings experiments{"image", "cnn_rnn", "image_to_video", "video_to_image"};
  SpecField experiment_list =
      field("train.experiments", FieldKind::ChoiceList, experiments,
            "experiments to train: image (M14), cnn_rnn (M15), image_to_video (M16), video_to_image (M17)");
  experiment_list.choices = experiments;
  SpecField objective_experiments =
      field("search.objective.experiments", FieldKind::ChoiceList, Strings{},
            "experiments whose jobs judge a trial (empty: train.experiments, when it has one)");
  objective_experiments.choices = experiments;
  return {
      operational(field("name", FieldKind::Text, std::string(""),
                        "sweep name, unique per database (default: the spec file's name without .yaml)")),
      field("seed", FieldKind::Integer, std::int64_t{1},
            "sweep seed: folds, initial weights, shuffles and augmentations derive from it, never from time"),
      operational(field("database", FieldKind::Text, std::string(""),
                        "SQLite database (default: <name>.db in the current folder); `--db` overrides it")),
      field("profile.path", FieldKind::Text, std::string(""),
            "profile folder to ingest (docs/INPUT.md); leave empty with profile.synth.preset set"),
      study_profiles_field(),
      choice("profile.format", "popsweep", {"popsweep", "instaloader"}, "layout of profile.path"),
      field("profile.followers", FieldKind::Text, std::string(""), "followers CSV (instaloader layout)"),
      field("profile.exclude", FieldKind::Text, std::string(""), "exclusion list CSV (M10)"),
      choice("profile.synth.preset", "",
             {"", "tiny", "small", "paper", "cross-type", "carousel-leak", "drift"},
             "generate a synthetic profile instead of reading profile.path (written beside the database)"),
      field("profile.synth.seed", FieldKind::Integer, std::int64_t{1}, "seed of the synthetic profile"),
      added_later(bounded(field("profile.synth.template_posts", FieldKind::Integer, std::int64_t{0},
                                "pairs of template posts planted in the synthetic profile (same background "
                                "and layout, other text: distinct posts dedup must keep; `synth "
                                "--template-posts`)"),
                          0, 1000),
                  "0"),
      bounded(field("labels.window_weeks", FieldKind::Number, 8.0, "rolling window length in weeks (M5)"),
              0.01, 10000),
      choice("labels.mode", "centered", {"centered", "trailing", "global"}, "label window (M5)"),
      bounded(field("labels.follower_fit_points", FieldKind::Integer, std::int64_t{8},
                    "follower samples in the log-linear extrapolation (M2)"),
              1, 1000),
      // context.*: the context vector of each media item (issue 18,
      // docs/METHOD.md). Only models with train.inputs context or
      // visual+context read them.
      added_later(
          text_checked_by(field("context.time_zone", FieldKind::Text, std::string("UTC"),
                                "the profile's time zone (an IANA name such as Europe/Rome), in which "
                                "the hour of day and weekday of a post are read"),
                          context::time_zone_problem),
          "UTC"),
      added_later(bounded(field("context.history_posts", FieldKind::Integer, std::int64_t{10},
                                "N: the popularity history of a media item is the mean and trend of the log "
                                "PoR of the profile's last N posts of the same media type before it"),
                          1, 100000),
                  "10"),
      choice("features.backbone", "efficientnet_b0", {"efficientnet_b0", "mobilenet_v2"},
             "frozen ImageNet backbone (M13)"),
      field("features.weights", FieldKind::Text, std::string("random"),
            "backbone weights: a file (.pth or .safetensors), `builtin:mobilenet_v2` (the ImageNet "
            "MobileNetV2 built into popsweep, for features.backbone mobilenet_v2), or `random` (seeded; not "
            "pretrained)"),
      field("features.weights_seed", FieldKind::Integer, std::int64_t{0}, "seed of `random` weights"),
      bounded(
          field("features.image_size", FieldKind::Integer, std::int64_t{224}, "input side in pixels (M11)"),
          32, 1024),
      bounded(field("features.views", FieldKind::Integer, std::int64_t{0},
                    "augmented views stored per image for training with augmentation (M14)"),
              0, 64),
      added_later(
          field("features.jpeg_dct_scaling", FieldKind::Boolean, true,
                "decode JPEGs at libjpeg's 1/2, 1/4 or 1/8 scale, the smallest still at least twice "
                "features.image_size, then resize: faster on full-size photos, and features move about as "
                "much as between two exact resize implementations (docs/BENCHMARKS.md); false keeps the "
                "reference preprocessing (M11) exactly, for parity with the paper's pipeline"),
          "false"),
      operational(bounded(
          field("features.batch", FieldKind::Integer, std::int64_t{32}, "images per forward pass"), 1, 4096)),
      operational(
          bounded(field("features.shards", FieldKind::Integer, std::int64_t{4},
                        "extraction jobs the media are split into, so several workers share the stage"),
                  1, 100000)),
      field("dedup.enabled", FieldKind::Boolean, true, "remove near duplicates before training (M7-M9)"),
      bounded(field("dedup.threshold", FieldKind::NumberOrAuto, std::string("auto"),
                    "distance under which two media are duplicates, or `auto` to use the suggested one (M7)"),
              0, std::nullopt),
      // On by default since sweeps were first recorded with false: their
      // identity omits the key, and a rerun that does not set it keeps false
      // (sweep_runner.cc, keep_values_a_recorded_sweep_ran_with).
      added_later(field("dedup.verify", FieldKind::Boolean, true,
                        "check every candidate pair of the feature search on its pixels (align, then every "
                        "block must agree; docs/METHOD.md) and keep only those as duplicates: same-template "
                        "posts with other text or another product survive. false: the paper's rule, "
                        "distance alone (experiments/paper.yaml)"),
                  "false"),
      added_later(field("dedup.verify_mirror", FieldKind::Boolean, false,
                        "dedup.verify: a left-right mirrored copy counts as the same picture"),
                  "false"),
      added_later(bounded(field("dedup.verify_max_block_difference", FieldKind::Number, 14.0,
                                "dedup.verify: the largest mean difference (grey levels, 0-255, beyond a "
                                "one-pixel shift and a tone mapping) any 8x8 block of the aligned 256x256 "
                                "pictures may have"),
                          0, 255),
                  "14"),
      added_later(
          bounded(field("dedup.verify_candidate_factor", FieldKind::Number, 5.0,
                        "dedup.verify with dedup.threshold auto: candidates are each media's 8 closest "
                        "up to this multiple of the median nearest-neighbour distance (recall first; "
                        "verification decides)"),
                  0.1, 100),
          "5"),
      experiment_list,
      bounded(field("train.classes", FieldKind::IntegerList, Integers{2, 3}, "numbers of classes K (M4)"), 2,
              100),
      bounded(field("train.folds", FieldKind::Integer, std::int64_t{5}, "stratified folds per run (M19)"), 2,
              100),
      bounded(
          field("train.repeats", FieldKind::Integer, std::int64_t{3}, "runs with different fold seeds (M19)"),
          1, 1000),
      bounded(field("train.epochs", FieldKind::Integer, std::int64_t{15}, "training epochs (M18)"), 1,
              100000),
      bounded(field("train.lr", FieldKind::Number, 0.001, "Adam learning rate (M18)"), 1e-12, 10),
      bounded(field("train.batch_size", FieldKind::Integer, std::int64_t{32}, "training batch size (M18)"), 1,
              65536),
      choice("train.mode", "features", {"features", "pixels"},
             "features: heads train on stored embeddings, M14's augmentation drawing from the stored views "
             "(features.views); pixels: every epoch each training image, and each training video's 15 frames "
             "with one draw for the whole video, is augmented anew and run through the backbone, as the paper "
             "did for images (every experiment; slow)"),
      added_later(
          bounded(field("train.finetune_blocks", FieldKind::Integer, std::int64_t{0},
                        "fine-tuning: unfreeze the backbone's last k blocks (EfficientNet-B0 has 16, "
                        "MobileNetV2 17) and train them with the head, batch norms frozen; 0 keeps the "
                        "backbone frozen, as the paper. Needs train.mode pixels, train.inputs visual and "
                        "the image experiment only (docs/METHOD.md, fine-tuning)"),
                  0, 17),
          "0"),
      added_later(bounded(field("train.finetune_lr", FieldKind::NumberOrAuto, std::string("auto"),
                                "Adam learning rate of the unfrozen blocks (train.finetune_blocks); auto: a "
                                "tenth of train.lr"),
                          1e-12, 10),
                  "auto"),
      added_later(
          choice("train.calibration", "none", {"none", "temperature"},
                 "none: the reports and predict use the models' probabilities as trained; temperature: "
                 "each fold's probabilities are tempered (one T dividing the logits) with T fitted on the "
                 "other folds' out-of-fold predictions, never on the fold scored, and predict tempers "
                 "with T fitted on all of them (docs/METHOD.md, calibration); accuracy is unchanged"),
          "none"),
      added_later(
          choice("train.inputs", "visual", {"visual", "context", "visual+context"},
                 "what the heads see (docs/METHOD.md, context models): visual, the media's embeddings (the "
                 "paper); context, only the context vector (posting time, caption, history; context.*) "
                 "through heads of the same shape, a fair baseline; visual+context, the context vector "
                 "joined to the image head's embedding and to the sequence heads' last GRU state. Context "
                 "inputs need labels.mode trailing (centred and global labels rank a post against later "
                 "ones)"),
          "visual"),
      choice(
          "train.split", "post", {"media", "post", "time"},
          "how folds split the data (docs/METHOD.md, split protocols): media, the paper's stratified folds "
          "over media items (carousel siblings can sit on both sides); post, stratified folds over posts, "
          "every item of a post in one fold; time, forward chaining over consecutive blocks of the "
          "timeline (needs labels.mode trailing; block 0 is never validated)"),
      bounded(field("train.time_gap_weeks", FieldKind::NumberOrAuto, std::string("auto"),
                    "train.split time: a fold trains only on posts published at least this long before its "
                    "block starts; `auto`: labels.window_weeks"),
              0, std::nullopt),
      // search.*: how trials are drawn. The values they draw are each sweep
      // point's identity, so these settings themselves are left out of it.
      operational(
          choice("search.method", "grid", {"grid", "random", "sobol", "tpe"},
                 "grid: the Cartesian product of `sweep:` (no `search:` keys); random: each trial draws "
                 "every `search:` key from its own counter-based stream; sobol: trial i is point i + 1 "
                 "of the unscrambled Sobol sequence (Joe-Kuo direction numbers); tpe: a tree-structured "
                 "Parzen estimator proposes each batch from the scores of the earlier batches "
                 "(docs/ORCHESTRATOR.md)")),
      operational(
          bounded(field("search.trials", FieldKind::Integer, std::int64_t{16},
                        "trials of a random, sobol or tpe search; raising it on a finished search adds "
                        "trials and keeps the old ones"),
                  1, 10000)),
      operational(field("search.seed", FieldKind::Integer, std::int64_t{1},
                        "seed of the random and tpe draws (sobol has none)")),
      operational(bounded(field("search.batch", FieldKind::Integer, std::int64_t{8},
                                "tpe: trials proposed together and run in parallel; batch b is proposed from "
                                "the scores of batches before it (a spec key, never a worker count)"),
                          1, 10000)),
      operational(
          bounded(field("search.startup_trials", FieldKind::Integer, std::int64_t{10},
                        "tpe: a batch with fewer trials before it draws at random, as `random` would"),
                  1, 10000)),
      operational(objective_experiments),
      operational(
          bounded(field("search.objective.classes", FieldKind::Integer, std::int64_t{0},
                        "number of classes K a trial is judged at (0: train.classes, when it has one)"),
                  0, 100)),
      operational(choice("search.objective.metric", "accuracy", {"accuracy", "accuracy_over_baseline"},
                         "a trial's score: pooled validation accuracy over folds and repeats, or that minus "
                         "the majority baseline")),
      operational(choice("search.objective.epoch", "best", {"best", "last"},
                         "score a trial at each job's best or last epoch")),
      operational(choice("search.pruner", "none", {"none", "successive_halving"},
                         "successive_halving: each batch of search.batch trials is a bracket trained in "
                         "rungs of search.min_epochs * search.eta^r epochs; the best 1/eta of a rung go on "
                         "from their saved state, the rest end `pruned` (docs/ORCHESTRATOR.md)")),
      operational(bounded(field("search.min_epochs", FieldKind::Integer, std::int64_t{1},
                                "successive_halving: the epochs of the first rung"),
                          1, 100000)),
      operational(bounded(field("search.max_epochs", FieldKind::Integer, std::int64_t{0},
                                "successive_halving: the epochs of the last rung (0: train.epochs)"),
                          0, 100000)),
      operational(bounded(field("search.eta", FieldKind::Integer, std::int64_t{3},
                                "successive_halving: each rung trains eta times longer and keeps the best "
                                "ceil(n / eta) of its n trials"),
                          2, 1000)),
      operational(
          bounded(field("search.holdout_repeats", FieldKind::Integer, std::int64_t{0},
                        "re-evaluate the best trial on this many fresh repeats (fold seeds never used "
                        "to choose it); the report shows that estimate beside the selection score"),
                  0, 1000)),
      operational(bounded(field("run.workers", FieldKind::Integer, std::int64_t{0},
                                "local worker processes (0: a sensible split of the cores)"),
                          0, 4096)),
      operational(bounded(field("run.threads_per_worker", FieldKind::Integer, std::int64_t{0},
                                "intra-op threads per worker (0: cores / workers). Results are bit-identical "
                                "only for the same value"),
                          0, 1024)),
      operational(bounded(field("run.max_attempts", FieldKind::Integer, std::int64_t{3},
                                "tries per job before it is marked failed"),
                          1, 100)),
      operational(bounded(field("run.job_timeout_minutes", FieldKind::Number, 120.0,
                                "a job running longer is stopped and counts as a failed attempt"),
                          0.01, 1e6)),
      operational(
          bounded(field("run.checkpoint_minutes", FieldKind::Number, 10.0,
                        "a training job saves its resume state at the first epoch boundary this long "
                        "after its start or its last save (and at a stop signal), so a node lost without "
                        "warning costs at most about this much of the job; 0: after every epoch"),
                  0, 1e6)),
      operational(
          bounded(field("run.stop_grace_seconds", FieldKind::Number, 90.0,
                        "after a stop signal (SIGTERM, Slurm's USR1), how long running jobs get to reach "
                        "a safe point and save their state before the coordinator ends; keep it below the "
                        "warning Slurm gives (--signal=USR1@SECONDS)"),
                  0, 86400)),
      operational(
          bounded(field("run.ranks_per_job", FieldKind::Integer, std::int64_t{1},
                        "workers each training job runs on at once, data parallel: each takes its share "
                        "of every batch and the gradients are summed (the one-worker numbers, up to float "
                        "rounding). Local pool only; at most run.workers"),
                  1, 1024)),
      operational(
          choice("run.collective_backend", "auto", {"auto", "gloo", "nccl"},
                 "how the ranks of a job (run.ranks_per_job) sum their gradients: Gloo, or NCCL between "
                 "GPUs (a CUDA LibTorch with NCCL); auto: NCCL on GPUs where built in, else Gloo")),
      operational(
          device_field("run.device", "auto",
                       "auto, cpu, cuda or cuda:N. auto: worker i on GPU (i mod visible GPUs) when LibTorch "
                       "has CUDA and a GPU is visible, else the CPU; cuda: the same, and no GPU is an error; "
                       "cuda:N: every worker on GPU N (CUDA_VISIBLE_DEVICES numbers the GPUs it lists from "
                       "0). Under MPI, i is the rank on its node")),
  };
}

}  // namespace

const std::vector<SpecField>& spec_schema() {
  static const std::vector<SpecField> schema = build_schema();
  return schema;
}

const SpecField* find_spec_field(const std::string& path) {
  for (const SpecField& f : spec_schema()) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

std::string check_spec_value(const SpecField& field, const SpecValue& value) {
  auto in_range = [&](double v) -> std::string {
    if (field.minimum && v < *field.minimum) return fmt::format("must be at least {}", *field.minimum);
    if (field.maximum && v > *field.maximum) return fmt::format("must be at most {}", *field.maximum);
    return "";
  };
  auto allowed = [&](const std::string& v) -> std::string {
    if (std::find(field.choices.begin(), field.choices.end(), v) != field.choices.end()) return "";
    std::string list;
    for (const std::string& c : field.choices) list += (list.empty() ? "" : ", ") + (c.empty() ? "\"\"" : c);
    return "'" + v + "' is not one of " + list;
  };
  if (const auto* i = std::get_if<std::int64_t>(&value)) return in_range(static_cast<double>(*i));
  if (const auto* d = std::get_if<double>(&value)) return in_range(*d);
  if (const auto* s = std::get_if<std::string>(&value)) {
    if (field.check_text) return field.check_text(*s);
    return field.kind == FieldKind::Choice ? allowed(*s) : "";
  }
  if (const auto* list = std::get_if<std::vector<std::int64_t>>(&value)) {
    if (list->empty()) return "the list is empty";
    for (const std::int64_t v : *list) {
      if (std::string why = in_range(static_cast<double>(v)); !why.empty()) return why;
    }
  }
  if (const auto* list = std::get_if<std::vector<std::string>>(&value)) {
    if (list->empty()) return "the list is empty";
    for (const std::string& v : *list) {
      if (std::string why = field.check_text ? field.check_text(v) : allowed(v); !why.empty()) return why;
    }
  }
  return "";
}

std::string spec_schema_markdown() {
  static const char* const kKindNames[] = {"boolean", "integer", "number", "text", "one of", "list of integers",
                                           "list, each one of", "number or `auto`"};
  std::string text = "| key | type | default | meaning |\n|---|---|---|---|\n";
  for (const SpecField& f : spec_schema()) {
    std::string type = kKindNames[static_cast<int>(f.kind)];
    if (f.kind == FieldKind::ChoiceList && f.choices.empty() && f.check_text) type = "list of text";
    if (!f.choices.empty()) {
      type += ":";
      for (const std::string& c : f.choices) type += " `" + (c.empty() ? std::string("\"\"") : c) + "`";
    }
    if (f.minimum || f.maximum) {
      type += fmt::format(" ({}..{})", f.minimum ? fmt::format("{}", *f.minimum) : "",
                          f.maximum ? fmt::format("{}", *f.maximum) : "");
    }
    const std::string shown_default = format_spec_value(f.default_value);
    text += fmt::format("| `{}` | {} | `{}` | {}{} |\n", f.path, type, shown_default.empty() ? "\"\"" : shown_default,
                        f.doc, f.sweepable ? "" : " (not sweepable)");
  }
  return text;
}

}  // namespace popsweep::orchestrator
