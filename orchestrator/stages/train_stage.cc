#include "orchestrator/stages/train_stage.h"

#include <cstdio>

#include "common/error.h"
#include "orchestrator/stages/training_dataset.h"
#include "storage/database.h"
#include "storage/job_tables.h"
#include "storage/result_tables.h"
#include "worker/features/feature_set_key.h"

namespace popsweep::orchestrator {
namespace {

std::vector<float> floats_at(const std::vector<float>& all, size_t row, size_t width) {
  return std::vector<float>(all.begin() + static_cast<std::ptrdiff_t>(row * width),
                            all.begin() + static_cast<std::ptrdiff_t>((row + 1) * width));
}

}  // namespace

std::optional<storage::CheckpointRow> TrainStage::load_resume_state(const storage::JobRow& job) {
  try {
    return storage::load_checkpoint(db_, job.id, "resume");
  } catch (const InputError& lost) {
    // A resume state only saves time: the job started again from its first
    // epoch gives the same numbers (same seed), whereas failing it would fail
    // every attempt until `doctor --repair`. Said, with the file, in the log.
    std::fprintf(stderr,
                 "popsweep: job %lld: its resume state is lost (%s); it starts again from its first epoch\n",
                 static_cast<long long>(job.id), lost.what());
    storage::delete_checkpoint(db_, job.id, "resume");
    return std::nullopt;
  }
}

RemoteDispatch TrainStage::prepare_remote(const storage::JobRow& job) {
  const nlohmann::json params = nlohmann::json::parse(job.params);
  const std::string key = training_dataset_key(db_, params);
  if (!handlers_.has_dataset(key)) {
    // Built here, not when first sent, so a dataset that cannot be built
    // fails this job with the reason; the reason is kept so the key's other
    // jobs fail alike without loading every feature again.
    const auto refused = unbuildable_datasets_.find(key);
    if (refused != unbuildable_datasets_.end()) throw MissingFeaturesError(refused->second);
    std::shared_ptr<Message> dataset;
    try {
      dataset = std::make_shared<Message>(build_training_dataset(db_, params));
    } catch (const MissingFeaturesError& error) {
      unbuildable_datasets_.emplace(key, error.what());
      throw;
    }
    // Called once: the handlers keep the message it returns.
    handlers_.add_dataset(key, [dataset] { return std::move(*dataset); });
  }
  RemoteDispatch dispatch;
  dispatch.job = make_message("job", {{"params", params}, {"dataset", key}});
  if (params.at("train").value("mode", std::string("features")) == "pixels") {
    const auto weights = weights_path_.find(params.at("features").dump());
    if (weights != weights_path_.end()) dispatch.job.header["weights_path"] = weights->second;
  }
  dispatch.job.header["checkpoint_seconds"] = checkpoint_minutes_ * 60;
  if (ranks_per_job_ > 1) dispatch.job.header["collective_backend"] = collective_backend_;
  // An interrupted job, or one whose worker was lost after a periodic
  // checkpoint, continues from that epoch boundary.
  std::optional<storage::CheckpointRow> resume = load_resume_state(job);
  // A pruner's later rung starts where its trial's rung before ended
  // (search_halving.h): that job kept its final state.
  const auto halving = params.find("halving");
  if (!resume && halving != params.end() && halving->contains("continues")) {
    const std::optional<storage::JobRow> before =
        storage::find_job_by_key(db_, halving->at("continues").get<std::string>());
    if (before) resume = storage::load_checkpoint(db_, before->id, "resume");
    if (!resume) throw Error("the rung this job continues has no saved training state");
  }
  if (halving != params.end()) dispatch.job.header["keep_final_state"] = true;
  if (resume) {
    dispatch.job.header["resume_epoch"] = resume->epoch;
    dispatch.job.blobs.push_back(resume->data);
  }
  dispatch.dataset_keys.push_back(key);
  return dispatch;
}

void TrainStage::record_result(const storage::JobRow& job, const Message& result) {
  const nlohmann::json& h = result.header;
  storage::TrainResultRow row;
  row.job_id = job.id;
  row.experiment = h.at("experiment").get<std::string>();
  row.classes = h.at("classes").get<int>();
  row.fold = h.at("fold").get<int>();
  row.repeat = h.at("repeat").get<int>();
  row.best_epoch = h.at("best_epoch").get<int>();
  row.epochs_run = h.at("epochs_run").get<int>();
  row.accuracy_best = h.at("accuracy_best").get<double>();
  row.accuracy_last = h.at("accuracy_last").get<double>();
  if (h.contains("top2_best")) row.top2_best = h.at("top2_best").get<double>();
  if (h.contains("top2_last")) row.top2_last = h.at("top2_last").get<double>();
  // NaN (no validation items) travels as JSON null.
  row.majority_baseline = h.at("majority_baseline").is_number() ? h.at("majority_baseline").get<double>() : 0.0;
  row.training_majority_class = h.value("training_majority_class", -1);
  row.confusion_best = h.at("confusion_best").dump();
  row.confusion_last = h.at("confusion_last").dump();
  row.train_items = h.at("train_items").get<int>();
  row.val_items = h.at("val_items").get<int>();

  std::vector<storage::EpochRow> epochs;
  for (const nlohmann::json& e : h.at("history")) {
    epochs.push_back({e.at(0).get<int>(), e.at(1).get<double>(), e.at(2).get<double>(), e.at(3).get<double>(),
                      e.at(4).get<double>()});
  }
  const bool keeps_final_state = nlohmann::json::parse(job.params).contains("halving");
  if (result.blobs.size() != (keeps_final_state ? 4u : 3u)) {
    throw Error(
        keeps_final_state
            ? "malformed training result: expected weights, two probability arrays and the final state"
            : "malformed training result: expected weights and two probability arrays");
  }
  const std::vector<float> best = blob_to_floats(result.blobs[1]);
  const std::vector<float> last = blob_to_floats(result.blobs[2]);
  const size_t classes = static_cast<size_t>(row.classes);
  std::vector<storage::PredictionRow> predictions;
  size_t index = 0;
  for (const nlohmann::json& p : h.at("predictions")) {
    if ((index + 1) * classes > best.size() || (index + 1) * classes > last.size()) {
      throw Error("malformed training result: fewer probabilities than predictions");
    }
    predictions.push_back({p.at(0).get<std::int64_t>(), p.at(1).get<int>(), p.at(2).get<int>(), p.at(3).get<int>(),
                           floats_at(best, index, classes), floats_at(last, index, classes)});
    ++index;
  }
  if (static_cast<int>(predictions.size()) != row.val_items) {
    throw Error("malformed training result: prediction count differs from the validation set");
  }
  storage::save_train_result(db_, row, epochs, predictions);
  if (h.contains("training_ids")) {
    storage::save_training_media_ids(db_, job.id, h.at("training_ids").get<std::vector<std::int64_t>>());
  }
  storage::CheckpointRow checkpoint;
  checkpoint.job_id = job.id;
  checkpoint.kind = "best";
  checkpoint.epoch = row.best_epoch;
  const nlohmann::json params = nlohmann::json::parse(job.params);
  if (const std::optional<storage::FeatureSetRow> features =
          storage::find_feature_set(db_, features::feature_set_key(params.at("features")))) {
    checkpoint.feature_set_id = features->id;
  }
  checkpoint.data = result.blobs[0];
  storage::save_checkpoint(db_, checkpoint);
  storage::delete_checkpoint(db_, job.id, "resume");
  // A rung job keeps the state it ended in: the trial's next rung goes on from it.
  if (keeps_final_state) save_resume_checkpoint(job, row.epochs_run, result.blobs[3]);
}

void TrainStage::record_partial(const storage::JobRow& job, const Message& partial) {
  if (partial.blobs.size() != 1 || !partial.header.contains("checkpoint_epoch")) {
    throw Error("malformed training checkpoint: expected an epoch and one resume state");
  }
  save_resume_checkpoint(job, partial.header.at("checkpoint_epoch").get<int>(), partial.blobs[0]);
}

void TrainStage::record_interruption(const storage::JobRow& job, const Message& message) {
  if (message.blobs.empty()) return;  // stopped before its first epoch ended: it restarts
  save_resume_checkpoint(job, message.header.value("epoch", 0), message.blobs[0]);
}

void TrainStage::save_resume_checkpoint(const storage::JobRow& job, int epoch, const std::string& state) {
  storage::CheckpointRow checkpoint;
  checkpoint.job_id = job.id;
  checkpoint.kind = "resume";
  checkpoint.epoch = epoch;
  checkpoint.data = state;
  storage::save_checkpoint(db_, checkpoint);
}

}  // namespace popsweep::orchestrator
