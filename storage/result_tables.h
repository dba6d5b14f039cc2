// What a training job leaves behind: its per-epoch history, its summary
// scores, one prediction per validated item, and its checkpoints. Written
// by the coordinator in the same transaction that marks the job done.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace popsweep::storage {

class Database;
class Statement;

struct EpochRow {
  int epoch = 0;
  double train_loss = 0;
  double train_accuracy = 0;
  double val_loss = 0;
  double val_accuracy = 0;
};

struct TrainResultRow {
  std::int64_t job_id = 0;
  std::string experiment;
  int classes = 2;
  int fold = 0;
  int repeat = 0;
  int best_epoch = 0;
  int epochs_run = 0;
  double accuracy_best = 0;
  double accuracy_last = 0;
  std::optional<double> top2_best;
  std::optional<double> top2_last;
  double majority_baseline = 0;
  int training_majority_class = -1;
  std::string confusion_best;  // JSON K x K counts
  std::string confusion_last;
  int train_items = 0;
  int val_items = 0;
};

struct PredictionRow {
  std::int64_t media_id = 0;
  int true_class = 0;
  int predicted_best = 0;
  int predicted_last = 0;
  std::vector<float> probabilities_best;
  std::vector<float> probabilities_last;
};

// Replaces whatever an earlier attempt of the job wrote. Call inside the
// transaction that marks the job done.
void save_train_result(Database& db, const TrainResultRow& result, const std::vector<EpochRow>& epochs,
                       const std::vector<PredictionRow>& predictions);

// `with_pruned`: also the results of jobs a search's pruner stopped (its
// rung decisions are recomputed from them).
std::vector<TrainResultRow> load_train_results(Database& db, std::int64_t sweep_id, bool with_pruned = false);

// The media a training job trained on (for the leakage audit), stored as
// int64 little-endian. nullopt for jobs recorded before it was kept.
void save_training_media_ids(Database& db, std::int64_t job_id, const std::vector<std::int64_t>& media_ids);
std::optional<std::vector<std::int64_t>> load_training_media_ids(Database& db, std::int64_t job_id);
std::vector<EpochRow> load_epochs(Database& db, std::int64_t job_id);
std::vector<PredictionRow> load_predictions(Database& db, std::int64_t job_id);

// One job's predictions as columns, in media order: what a report reads for
// every job of a sweep (10 million rows for 100,000 jobs), without a vector
// per row. `best` and `last` hold each row's probabilities, row after row.
struct PredictionColumns {
  std::vector<std::int64_t> media_ids;
  std::vector<int> true_classes;
  std::vector<float> best;
  std::vector<float> last;
  // The first row whose probabilities at the best epoch (else, failing none
  // there, at the last) do not number the classes asked for: its media id
  // and how many it has. The caller says what to do about it.
  std::optional<std::pair<std::int64_t, std::size_t>> wrong_count;
};

// Reads the results of one job after another, keeping each prepared query
// for the next job: a report over 100,000 jobs would otherwise prepare
// 300,000 statements.
class ResultReader {
 public:
  explicit ResultReader(Database& db);
  ~ResultReader();
  PredictionColumns predictions(std::int64_t job_id, int classes);
  std::vector<EpochRow> epochs(std::int64_t job_id);
  std::optional<std::vector<std::int64_t>> training_media_ids(std::int64_t job_id);

 private:
  Statement& query(std::unique_ptr<Statement>& slot, const char* sql);

  Database& db_;
  std::unique_ptr<Statement> predictions_, epochs_, training_media_;
};

struct CheckpointRow {
  std::int64_t job_id = 0;
  std::string kind;  // best, resume
  int epoch = 0;
  std::optional<std::int64_t> feature_set_id;
  std::string data;
};
void save_checkpoint(Database& db, const CheckpointRow& checkpoint);
std::optional<CheckpointRow> load_checkpoint(Database& db, std::int64_t job_id, const std::string& kind);
void delete_checkpoint(Database& db, std::int64_t job_id, const std::string& kind);

}  // namespace popsweep::storage
