#include "orchestrator/work_estimate.h"

#include <algorithm>

namespace popsweep::orchestrator {
namespace {

// The cost model's constants: seconds on a quiet 2-core x86 machine
// (docs/BENCHMARKS.md: the backbone alone at 85.8 images/s in "Where the
// time goes"; one features-mode job of each experiment at paper size: image
// 0.31 s, cnn_rnn 1.18 s, image_to_video 2.75 s). Only their ratios matter
// once a sweep has finished a few jobs; before that they are the whole
// estimate, so they follow the code's speed (issue 25 found them twice too
// slow after the backbone and the trainers got faster).
constexpr int kFramesPerVideo = 15;
constexpr double kDecodeSecondsPerRow = 0.004;      // read, decode, resize one input
constexpr double kBackboneSecondsPerRow224 = 0.012;  // EfficientNet-B0 at 224 x 224, 2 threads
constexpr double kHeadSecondsPerItemEpoch = 1.1e-5;  // Dropout + Dense over 1280 features
constexpr double kSequenceSecondsPerItemEpoch = 1.2e-4;  // two GRUs over 15 steps
constexpr double kTrainJobOverheadSeconds = 0.1;     // loading features and labels, writing results
constexpr double kMinimumSeconds = 0.05;

double seconds_per_backbone_row(const nlohmann::json& features) {
  const double side = features.value("image_size", 224);
  return kDecodeSecondsPerRow + kBackboneSecondsPerRow224 * (side / 224.0) * (side / 224.0);
}

double extract_seconds(const nlohmann::json& params, const ProfileSize& size) {
  const nlohmann::json features = params.value("features", nlohmann::json::object());
  const double views = features.value("views", 0);
  const double shards = std::max(1, params.value("shards", 1));
  const double rows = size.images * (1 + views) + size.videos * (kFramesPerVideo + 1.0);
  return rows / shards * seconds_per_backbone_row(features);
}

double train_seconds(const nlohmann::json& params, const ProfileSize& size) {
  const nlohmann::json train = params.value("train", nlohmann::json::object());
  const double epochs = train.value("epochs", 15);
  const int folds = params.value("folds", 5);
  const double training_share = folds > 1 ? (folds - 1.0) / folds : 0.8;
  const std::string experiment = params.value("experiment", "image");
  const bool sequences = experiment == "cnn_rnn" || experiment == "image_to_video";
  double items = static_cast<double>(size.images);
  if (experiment == "cnn_rnn") items = static_cast<double>(size.videos);
  if (experiment == "image_to_video") items = static_cast<double>(size.videos + size.images);
  double per_item_epoch = sequences ? kSequenceSecondsPerItemEpoch : kHeadSecondsPerItemEpoch;
  // Pixels mode runs every input through the backbone each epoch.
  if (train.value("mode", "features") == "pixels") {
    per_item_epoch += seconds_per_backbone_row(params.value("features", nlohmann::json::object())) *
                      (sequences ? kFramesPerVideo : 1);
  }
  return kTrainJobOverheadSeconds + epochs * items * training_share * per_item_epoch;
}

double ratio(double observed, double predicted) { return predicted > 0 ? observed / predicted : 1.0; }

// Stages whose cost scales with the machine's compute speed; the cheap
// coordinator stages (ingest, labels, dedup) mostly wait on the database
// and would make the machine look a hundred times faster than it is.
bool measures_machine_speed(const std::string& group) { return group == "extract" || group.rfind("train", 0) == 0; }

}  // namespace

double predicted_job_seconds(const std::string& stage, const nlohmann::json& params, const ProfileSize& size) {
  const double media = static_cast<double>(size.images + size.videos);
  double seconds = kMinimumSeconds;
  if (stage == "extract") seconds = extract_seconds(params, size);
  if (stage == "train") seconds = train_seconds(params, size);
  if (stage == "label") seconds = 0.2 + 1e-4 * media;
  if (stage == "dedup") seconds = 0.2 + 1e-7 * media * media;  // all pairs of feature vectors
  if (stage == "ingest") seconds = 0.5 + 1e-3 * media;
  return std::max(seconds, kMinimumSeconds);
}

std::string work_group(const std::string& stage, const nlohmann::json& params) {
  return stage == "train" ? stage + ":" + params.value("experiment", "") : stage;
}

void WorkEstimate::add_job(std::int64_t id, const std::string& group, double predicted, bool done,
                           double observed_seconds) {
  Job job{group, std::max(predicted, 0.0), done ? State::Done : State::Waiting, 0};
  if (done && observed_seconds > 0) learn(job, observed_seconds);
  jobs_[id] = std::move(job);
}

void WorkEstimate::learn(const Job& job, double observed_seconds) {
  Calibration& group = by_group_[job.group];
  group.observed += observed_seconds;
  group.predicted += job.predicted;
  if (measures_machine_speed(job.group)) {
    overall_.observed += observed_seconds;
    overall_.predicted += job.predicted;
  }
}

void WorkEstimate::started(std::int64_t id, double now) {
  const auto found = jobs_.find(id);
  if (found == jobs_.end()) return;
  found->second.state = State::Running;
  found->second.started_at = now;
  if (first_start_ < 0) first_start_ = now;
}

void WorkEstimate::finished(std::int64_t id, double now, double observed_seconds) {
  const auto found = jobs_.find(id);
  if (found == jobs_.end() || found->second.state == State::Done) return;
  Job& job = found->second;
  if (observed_seconds <= 0 && job.state == State::Running) observed_seconds = now - job.started_at;
  if (observed_seconds > 0) {
    learn(job, observed_seconds);
    busy_seconds_ += observed_seconds;
  }
  job.state = State::Done;
}

void WorkEstimate::abandoned(std::int64_t id) {
  const auto found = jobs_.find(id);
  if (found != jobs_.end()) found->second.state = State::Gone;
}

void WorkEstimate::requeued(std::int64_t id) {
  const auto found = jobs_.find(id);
  if (found != jobs_.end() && found->second.state != State::Done) found->second.state = State::Waiting;
}

void WorkEstimate::set_predicted(std::int64_t id, double predicted) {
  const auto found = jobs_.find(id);
  if (found != jobs_.end()) found->second.predicted = std::max(predicted, 0.0);
}

// Observed over predicted seconds per group, and over every compute job for
// groups with no finished job yet. A running job that has already overrun
// its prediction raises its group's ratio at once (it is at least elapsed
// over predicted): a long extraction on a loaded machine would otherwise be
// expected to end any moment for as long as it runs. It raises the overall
// ratio only while no compute job has finished: then it is all there is to
// say how fast the machine is, but once jobs have finished, one slow job
// (the first of an experiment loads its features) says little about the
// others. The paper run of bench/eta_truth.sh showed it: the first cnn_rnn
// job's overrun made every other experiment 2.5 times dearer.
WorkEstimate::Ratios WorkEstimate::current_ratios(double now) const {
  Ratios ratios;
  ratios.overall = ratio(overall_.observed, overall_.predicted);
  for (const auto& [name, calibration] : by_group_) ratios.group[name] = ratio(calibration.observed, calibration.predicted);
  if (overall_.predicted <= 0) {  // no compute job has finished: the machine's speed is unknown
    for (const auto& [id, job] : jobs_) {
      if (job.state != State::Running || job.predicted <= 0 || !measures_machine_speed(job.group)) continue;
      ratios.overall = std::max(ratios.overall, (now - job.started_at) / job.predicted);
    }
  }
  for (const auto& [id, job] : jobs_) {
    if (job.state != State::Running || job.predicted <= 0) continue;
    const auto found = ratios.group.find(job.group);
    const double known = found != ratios.group.end() ? found->second : ratios.overall;
    ratios.group[job.group] = std::max(known, (now - job.started_at) / job.predicted);
  }
  return ratios;
}

double WorkEstimate::expected_seconds(const Job& job, const Ratios& ratios) const {
  const auto found = ratios.group.find(job.group);
  return job.predicted * (found != ratios.group.end() ? found->second : ratios.overall);
}

double WorkEstimate::fraction_done(double now) const {
  const Ratios ratios = current_ratios(now);
  double total = 0, done = 0;
  for (const auto& [id, job] : jobs_) {
    total += job.predicted;
    if (job.state == State::Done || job.state == State::Gone) done += job.predicted;
    if (job.state == State::Running) {
      const double expected = expected_seconds(job, ratios);
      const double part = expected > 0 ? std::min((now - job.started_at) / expected, 0.95) : 0.0;
      done += part * job.predicted;
    }
  }
  return total > 0 ? done / total : 1.0;
}

double WorkEstimate::eta_seconds(double now) const {
  const Ratios ratios = current_ratios(now);
  double remaining = 0, running_busy = 0;
  int running = 0, waiting = 0;
  for (const auto& [id, job] : jobs_) {
    if (job.state == State::Waiting) {
      remaining += expected_seconds(job, ratios);
      ++waiting;
    } else if (job.state == State::Running) {
      const double elapsed = now - job.started_at;
      // A job past its expected time is taken to be nearly done: what it
      // has left cannot be known before it reports.
      remaining += std::max(expected_seconds(job, ratios) - elapsed, 0.0);
      running_busy += elapsed;
      ++running;
    }
  }
  if (running == 0 && waiting == 0) return 0;
  // Workers busy on average so far, or busy now, whichever is more; never
  // more than there are workers or jobs left to share among them.
  double parallel = static_cast<double>(running);
  const double wall = first_start_ >= 0 ? now - first_start_ : 0;
  if (wall > 1) parallel = std::max(parallel, (busy_seconds_ + running_busy) / wall);
  parallel = std::clamp(parallel, 1.0, static_cast<double>(std::min(workers_, std::max(running + waiting, 1))));
  return remaining / parallel;
}

}  // namespace popsweep::orchestrator
