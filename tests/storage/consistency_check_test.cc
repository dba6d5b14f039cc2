// `popsweep doctor`'s rules: each planted inconsistency is found, and
// --repair leaves a database the next run can complete.
#include "storage/consistency_check.h"

#include <gtest/gtest.h>

#include "storage/database.h"
#include "storage/feature_tables.h"
#include "storage/job_tables.h"
#include "storage/result_tables.h"

namespace popsweep::storage {
namespace {

bool mentions(const std::vector<Finding>& findings, const std::string& text) {
  for (const Finding& f : findings) {
    if (f.what.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(ConsistencyCheck, CleanDatabaseIsConsistent) {
  Database db = Database::open_in_memory();
  EXPECT_TRUE(check_database(db, false).empty());
}

TEST(ConsistencyCheck, DoneJobWithoutResultsIsFoundAndRequeued) {
  Database db = Database::open_in_memory();
  const std::int64_t job = ensure_job(db, "train-x", "train", "{}", 0);
  mark_job_running(db, job, "w", 0);
  mark_job_done(db, job, 1.0, 0);
  const std::vector<Finding> found = check_database(db, false);
  EXPECT_TRUE(mentions(found, "done training jobs without their results"));
  EXPECT_EQ(find_job(db, job)->status, JobStatus::Done);  // a check alone changes nothing
  check_database(db, true);
  EXPECT_EQ(find_job(db, job)->status, JobStatus::Pending);
  EXPECT_FALSE(mentions(check_database(db, false), "without their results"));
}

TEST(ConsistencyCheck, WrongSizedFeatureBlobIsDeletedAndExtractionRerun) {
  Database db = Database::open_in_memory();
  const std::int64_t set = ensure_feature_set(db, {"efficientnet_b0", "random:0", "p", 4});
  save_features(db, set, {{"hash-a", "image", 0, 1, {1, 2, 3, 4}}, {"hash-b", "image", 0, 1, {1, 2, 3}}});
  const std::int64_t extract = ensure_job(db, "extract-x", "extract", "{}", 0);
  mark_job_done(db, extract, 1.0, 0);
  EXPECT_TRUE(mentions(check_database(db, false), "feature blobs whose size"));
  check_database(db, true);
  EXPECT_EQ(stored_feature_keys(db, set).count({"hash-b", "image", 0}), 0u);
  EXPECT_EQ(find_job(db, extract)->status, JobStatus::Pending);
}

TEST(ConsistencyCheck, ResultsOfUnfinishedJobsAreOrphans) {
  Database db = Database::open_in_memory();
  const std::int64_t job = ensure_job(db, "train-y", "train", "{}", 0);
  TrainResultRow result;
  result.job_id = job;
  result.experiment = "image";
  save_train_result(db, result, {}, {});
  EXPECT_TRUE(mentions(check_database(db, false), "results of jobs that are not done"));
  check_database(db, true);
  EXPECT_EQ(db.query_int("SELECT COUNT(*) FROM train_results"), 0);
}

}  // namespace
}  // namespace popsweep::storage
