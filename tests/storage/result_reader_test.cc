// ResultReader, the report's way through a sweep's results: it must give what
// the one-job loaders give (load_predictions, load_epochs,
// load_training_media_ids) for every job, with its queries reused from one job
// to the next, and name the first row whose probabilities do not fit.
#include <gtest/gtest.h>

#include <algorithm>

#include "storage/database.h"
#include "storage/job_tables.h"
#include "storage/result_tables.h"

namespace popsweep::storage {
namespace {

struct PlantedJob {
  std::int64_t id = 0;
  int classes = 2;
  std::vector<EpochRow> epochs;
  std::vector<PredictionRow> predictions;
  std::optional<std::vector<std::int64_t>> training;
};

std::vector<PlantedJob> plant(Database& db) {
  std::vector<PlantedJob> jobs;
  for (int j = 0; j < 4; ++j) {
    PlantedJob job;
    job.id = ensure_job(db, "train-" + std::to_string(j), "train", "{}", 0);
    job.classes = j % 2 ? 3 : 2;
    for (int e = 1; e <= j + 1; ++e) job.epochs.push_back({e, 1.0 / e, 0.5 + e * 0.01, 1.5 / e, 0.4 + e * 0.02});
    // Saved out of media order: both readers return media order.
    for (const std::int64_t media : {std::int64_t{40} + j, std::int64_t{7}, std::int64_t{19} - j}) {
      PredictionRow row{media, static_cast<int>(media % job.classes), 0, 1, {}, {}};
      for (int c = 0; c < job.classes; ++c) {
        row.probabilities_best.push_back(0.1f * static_cast<float>(c + 1) + 0.01f * static_cast<float>(media));
        row.probabilities_last.push_back(0.2f * static_cast<float>(c + 1) - 0.001f * static_cast<float>(media));
      }
      job.predictions.push_back(row);
    }
    if (j != 2) job.training = std::vector<std::int64_t>{100 + j, 3, 55};  // job 2: from an earlier release
    TrainResultRow result;
    result.job_id = job.id;
    result.experiment = "image";
    result.classes = job.classes;
    result.confusion_best = result.confusion_last = "[]";
    save_train_result(db, result, job.epochs, job.predictions);
    if (job.training) save_training_media_ids(db, job.id, *job.training);
    jobs.push_back(job);
  }
  return jobs;
}

TEST(ResultReader, GivesWhatTheOneJobLoadersGiveForEveryJob) {
  Database db = Database::open_in_memory();
  const std::vector<PlantedJob> jobs = plant(db);
  ResultReader reader(db);
  for (int pass = 0; pass < 2; ++pass) {  // the second pass reuses every query
    for (const PlantedJob& job : jobs) {
      const std::vector<PredictionRow> rows = load_predictions(db, job.id);
      ASSERT_EQ(rows.size(), 3u);
      const PredictionColumns columns = reader.predictions(job.id, job.classes);
      EXPECT_FALSE(columns.wrong_count);
      ASSERT_EQ(columns.media_ids.size(), rows.size());
      ASSERT_EQ(columns.best.size(), rows.size() * static_cast<size_t>(job.classes));
      ASSERT_EQ(columns.last.size(), columns.best.size());
      for (size_t i = 0; i < rows.size(); ++i) {
        EXPECT_EQ(columns.media_ids[i], rows[i].media_id);
        EXPECT_EQ(columns.true_classes[i], rows[i].true_class);
        for (int c = 0; c < job.classes; ++c) {
          const size_t at = i * static_cast<size_t>(job.classes) + static_cast<size_t>(c);
          EXPECT_EQ(columns.best[at], rows[i].probabilities_best[static_cast<size_t>(c)]);
          EXPECT_EQ(columns.last[at], rows[i].probabilities_last[static_cast<size_t>(c)]);
        }
      }
      // The planted truth, in media order.
      std::vector<std::int64_t> planted;
      for (const PredictionRow& row : job.predictions) planted.push_back(row.media_id);
      std::sort(planted.begin(), planted.end());
      EXPECT_EQ(columns.media_ids, planted);

      const std::vector<EpochRow> epochs = reader.epochs(job.id);
      ASSERT_EQ(epochs.size(), job.epochs.size());
      for (size_t e = 0; e < epochs.size(); ++e) {
        EXPECT_EQ(epochs[e].epoch, job.epochs[e].epoch);
        EXPECT_EQ(epochs[e].val_accuracy, job.epochs[e].val_accuracy);
        EXPECT_EQ(epochs[e].train_loss, job.epochs[e].train_loss);
      }
      EXPECT_EQ(reader.training_media_ids(job.id), job.training);
      EXPECT_EQ(load_training_media_ids(db, job.id), job.training);
    }
  }
  EXPECT_TRUE(reader.predictions(9999, 2).media_ids.empty());
  EXPECT_FALSE(reader.training_media_ids(9999));
}

TEST(ResultReader, NamesTheFirstRowWhoseProbabilitiesDoNotFitTheClasses) {
  Database db = Database::open_in_memory();
  const std::vector<PlantedJob> jobs = plant(db);
  ResultReader reader(db);
  // Job 0 has 2 classes; asked for 3, its first row in media order (7) has 2.
  const PredictionColumns columns = reader.predictions(jobs[0].id, 3);
  ASSERT_TRUE(columns.wrong_count);
  EXPECT_EQ(columns.wrong_count->first, 7);
  EXPECT_EQ(columns.wrong_count->second, 2u);
}

}  // namespace
}  // namespace popsweep::storage
