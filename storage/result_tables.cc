#include "storage/result_tables.h"

#include <cstring>

#include "storage/checkpoint_files.h"
#include "storage/database.h"

namespace popsweep::storage {
namespace {

std::vector<float> floats_from_blob(const std::vector<std::uint8_t>& blob) {
  std::vector<float> values(blob.size() / sizeof(float));
  if (!values.empty()) std::memcpy(values.data(), blob.data(), values.size() * sizeof(float));
  return values;
}

}  // namespace

void save_train_result(Database& db, const TrainResultRow& r, const std::vector<EpochRow>& epochs,
                       const std::vector<PredictionRow>& predictions) {
  for (const char* table : {"epochs", "train_results", "predictions"}) {
    db.prepare(std::string("DELETE FROM ") + table + " WHERE job_id = ?").bind(1, r.job_id).run();
  }
  db.prepare(
        "INSERT INTO train_results (job_id, experiment, classes, fold, repeat, best_epoch, epochs_run, accuracy_best, "
        "accuracy_last, top2_best, top2_last, majority_baseline, confusion_best, confusion_last, train_items, "
        "val_items, training_majority_class) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind_all(r.job_id, r.experiment, r.classes, r.fold, r.repeat, r.best_epoch, r.epochs_run, r.accuracy_best,
                r.accuracy_last, r.top2_best, r.top2_last, r.majority_baseline, r.confusion_best, r.confusion_last,
                r.train_items, r.val_items, r.training_majority_class)
      .run();
  Statement epoch = db.prepare(
      "INSERT INTO epochs (job_id, epoch, train_loss, train_accuracy, val_loss, val_accuracy) VALUES (?, ?, ?, ?, ?, ?)");
  for (const EpochRow& e : epochs) {
    epoch.bind_all(r.job_id, e.epoch, e.train_loss, e.train_accuracy, e.val_loss, e.val_accuracy).run();
  }
  Statement prediction = db.prepare(
      "INSERT INTO predictions (job_id, media_id, true_class, predicted_best, predicted_last, probabilities_best, "
      "probabilities_last) VALUES (?, ?, ?, ?, ?, ?, ?)");
  for (const PredictionRow& p : predictions) {
    prediction.bind_all(r.job_id, p.media_id, p.true_class, p.predicted_best, p.predicted_last);
    prediction.bind_blob(6, p.probabilities_best.data(), p.probabilities_best.size() * sizeof(float));
    prediction.bind_blob(7, p.probabilities_last.data(), p.probabilities_last.size() * sizeof(float));
    prediction.run();
  }
}

std::vector<TrainResultRow> load_train_results(Database& db, std::int64_t sweep_id, bool with_pruned) {
  Statement q = db.prepare(
      "SELECT r.job_id, r.experiment, r.classes, r.fold, r.repeat, r.best_epoch, r.epochs_run, r.accuracy_best, "
      "r.accuracy_last, r.top2_best, r.top2_last, r.majority_baseline, r.confusion_best, r.confusion_last, "
      "r.train_items, r.val_items, r.training_majority_class FROM train_results r JOIN sweep_jobs s ON s.job_id = r.job_id "
      "JOIN jobs j ON j.id = r.job_id WHERE s.sweep_id = ? AND (j.status = 'done' OR (? AND j.status = 'pruned')) "
      "ORDER BY r.job_id");
  q.bind_all(sweep_id, std::int64_t{with_pruned ? 1 : 0});
  std::vector<TrainResultRow> rows;
  while (q.step()) {
    TrainResultRow r;
    r.job_id = q.column_int(0);
    r.experiment = q.column_text(1);
    r.classes = static_cast<int>(q.column_int(2));
    r.fold = static_cast<int>(q.column_int(3));
    r.repeat = static_cast<int>(q.column_int(4));
    r.best_epoch = static_cast<int>(q.column_int(5));
    r.epochs_run = static_cast<int>(q.column_int(6));
    r.accuracy_best = q.column_double(7);
    r.accuracy_last = q.column_double(8);
    if (!q.column_is_null(9)) r.top2_best = q.column_double(9);
    if (!q.column_is_null(10)) r.top2_last = q.column_double(10);
    r.majority_baseline = q.column_double(11);
    r.confusion_best = q.column_text(12);
    r.confusion_last = q.column_text(13);
    r.train_items = static_cast<int>(q.column_int(14));
    r.val_items = static_cast<int>(q.column_int(15));
    r.training_majority_class = static_cast<int>(q.column_int(16));
    rows.push_back(std::move(r));
  }
  return rows;
}

void save_training_media_ids(Database& db, std::int64_t job_id, const std::vector<std::int64_t>& media_ids) {
  db.prepare("UPDATE train_results SET training_media_ids = ? WHERE job_id = ?")
      .bind_blob(1, media_ids.data(), media_ids.size() * sizeof(std::int64_t))
      .bind(2, job_id)
      .run();
}

std::optional<std::vector<std::int64_t>> load_training_media_ids(Database& db, std::int64_t job_id) {
  return ResultReader(db).training_media_ids(job_id);
}

std::vector<EpochRow> load_epochs(Database& db, std::int64_t job_id) { return ResultReader(db).epochs(job_id); }

std::vector<PredictionRow> load_predictions(Database& db, std::int64_t job_id) {
  Statement q = db.prepare(
      "SELECT media_id, true_class, predicted_best, predicted_last, probabilities_best, probabilities_last "
      "FROM predictions WHERE job_id = ? ORDER BY media_id");
  q.bind(1, job_id);
  std::vector<PredictionRow> rows;
  while (q.step()) {
    rows.push_back({q.column_int(0), static_cast<int>(q.column_int(1)), static_cast<int>(q.column_int(2)),
                    static_cast<int>(q.column_int(3)), floats_from_blob(q.column_blob(4)),
                    floats_from_blob(q.column_blob(5))});
  }
  return rows;
}

ResultReader::ResultReader(Database& db) : db_(db) {}

ResultReader::~ResultReader() = default;

Statement& ResultReader::query(std::unique_ptr<Statement>& slot, const char* sql) {
  if (!slot) slot = std::make_unique<Statement>(db_.prepare(sql));
  return *slot;
}

std::optional<std::vector<std::int64_t>> ResultReader::training_media_ids(std::int64_t job_id) {
  Statement& q = query(training_media_, "SELECT training_media_ids FROM train_results WHERE job_id = ?");
  q.bind(1, job_id);
  std::optional<std::vector<std::int64_t>> ids;
  if (q.step() && !q.column_is_null(0)) {
    const std::vector<std::uint8_t> blob = q.column_blob(0);
    ids.emplace(blob.size() / sizeof(std::int64_t));
    if (!ids->empty()) std::memcpy(ids->data(), blob.data(), ids->size() * sizeof(std::int64_t));
  }
  q.reset();
  return ids;
}

std::vector<EpochRow> ResultReader::epochs(std::int64_t job_id) {
  Statement& q =
      query(epochs_,
            "SELECT epoch, train_loss, train_accuracy, val_loss, val_accuracy FROM epochs WHERE job_id = ? "
            "ORDER BY epoch");
  q.bind(1, job_id);
  std::vector<EpochRow> rows;
  while (q.step()) {
    rows.push_back({static_cast<int>(q.column_int(0)), q.column_double(1), q.column_double(2),
                    q.column_double(3), q.column_double(4)});
  }
  q.reset();
  return rows;
}

PredictionColumns ResultReader::predictions(std::int64_t job_id, int classes) {
  Statement& q = query(predictions_,
                       "SELECT media_id, true_class, probabilities_best, probabilities_last FROM predictions "
                       "WHERE job_id = ? ORDER BY media_id");
  PredictionColumns columns;
  std::optional<std::pair<std::int64_t, std::size_t>> wrong_best, wrong_last;
  // Appends one blob of float32 values; remembers the first of the wrong size.
  auto append = [classes](const std::vector<std::uint8_t>& blob, std::int64_t media,
                          std::vector<float>& values,
                          std::optional<std::pair<std::int64_t, std::size_t>>& wrong) {
    const std::size_t count = blob.size() / sizeof(float);
    if (count != static_cast<std::size_t>(classes) && !wrong) wrong.emplace(media, count);
    values.resize(values.size() + count);
    if (count) std::memcpy(values.data() + values.size() - count, blob.data(), count * sizeof(float));
  };
  q.bind(1, job_id);
  while (q.step()) {
    const std::int64_t media = q.column_int(0);
    columns.media_ids.push_back(media);
    columns.true_classes.push_back(static_cast<int>(q.column_int(1)));
    append(q.column_blob(2), media, columns.best, wrong_best);
    append(q.column_blob(3), media, columns.last, wrong_last);
  }
  q.reset();
  columns.wrong_count = wrong_best ? wrong_best : wrong_last;
  return columns;
}

// A large checkpoint's file is written and synced before its row (the
// caller's transaction may commit it later: the file is there first either
// way).
void save_checkpoint(Database& db, const CheckpointRow& c) {
  std::optional<std::string> file_sha256;
  if (keeps_checkpoint_in_file(db, c.data.size())) file_sha256 = store_checkpoint_file(db, c.data);
  Statement insert = db.prepare(
      "INSERT OR REPLACE INTO checkpoints (job_id, kind, epoch, feature_set_id, data, file_sha256) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  insert.bind_all(c.job_id, c.kind, c.epoch, c.feature_set_id);
  // An empty blob, not NULL, where the file holds the bytes (data is NOT NULL).
  static const char kNoBytes = 0;
  if (file_sha256) {
    insert.bind_blob(5, &kNoBytes, 0);
  } else {
    insert.bind_blob(5, c.data.data(), c.data.size());
  }
  insert.bind(6, file_sha256);
  insert.run();
}

std::optional<CheckpointRow> load_checkpoint(Database& db, std::int64_t job_id, const std::string& kind) {
  Statement q = db.prepare(
      "SELECT job_id, kind, epoch, feature_set_id, data, file_sha256 FROM checkpoints WHERE job_id = ? AND "
      "kind = ?");
  q.bind_all(job_id, kind);
  if (!q.step()) return std::nullopt;
  const std::vector<std::uint8_t> blob = q.column_blob(4);
  CheckpointRow row{q.column_int(0), q.column_text(1), static_cast<int>(q.column_int(2)),
                    q.column_optional_int(3), std::string(blob.begin(), blob.end())};
  if (!q.column_is_null(5)) row.data = read_checkpoint_file(db, q.column_text(5));
  return row;
}

void delete_checkpoint(Database& db, std::int64_t job_id, const std::string& kind) {
  db.prepare("DELETE FROM checkpoints WHERE job_id = ? AND kind = ?").bind_all(job_id, kind).run();
}

}  // namespace popsweep::storage
