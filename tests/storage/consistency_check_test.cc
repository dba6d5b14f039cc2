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

// Issue 24: repairing one feature set's damaged features sets back only the
// extraction jobs that fill it; another feature set's jobs lost nothing.
// (The job params stand for the worker's "features" section: here they just
// name the key's preprocessing.)
TEST(ConsistencyCheck, RepairResetsOnlyTheDamagedFeatureSetsExtraction) {
  Database db = Database::open_in_memory();
  const FeatureSetKey size_224{"efficientnet_b0", "random:0", "224", 4};
  const FeatureSetKey size_64{"efficientnet_b0", "random:0", "64", 4};
  const std::int64_t damaged = ensure_feature_set(db, size_224);
  const std::int64_t intact = ensure_feature_set(db, size_64);  // (no media hold hash-a: the note rule tidies both)
  save_features(db, damaged, {{"hash-a", "image", 0, 1, {1, 2, 3}}});
  save_features(db, intact, {{"hash-a", "image", 0, 1, {1, 2, 3, 4}}});
  std::vector<std::int64_t> extract_224, extract_64;
  for (int shard = 0; shard < 2; ++shard) {
    for (auto [size, jobs] : {std::pair{"224", &extract_224}, std::pair{"64", &extract_64}}) {
      const std::int64_t job = ensure_job(db, std::string("extract-") + size + "-" + std::to_string(shard), "extract",
                                          std::string(R"({"size":")") + size + R"("})", 0);
      mark_job_done(db, job, 1.0, 0);
      jobs->push_back(job);
    }
  }
  const FeatureSetOfExtraction feature_set_of = [&](const std::string& params) {
    return params.find("224") != std::string::npos ? size_224 : size_64;
  };
  check_database(db, true, feature_set_of);
  for (const std::int64_t job : extract_224) EXPECT_EQ(find_job(db, job)->status, JobStatus::Pending) << job;
  for (const std::int64_t job : extract_64) EXPECT_EQ(find_job(db, job)->status, JobStatus::Done) << job;
  EXPECT_TRUE(stored_feature_keys(db, damaged).empty());
}

// A job whose params do not say its feature set is set back: extracting
// again is harmless, a gap left unfilled is not.
TEST(ConsistencyCheck, RepairResetsAnExtractionJobItCannotPlace) {
  Database db = Database::open_in_memory();
  const std::int64_t set = ensure_feature_set(db, {"efficientnet_b0", "random:0", "p", 4});
  save_features(db, set, {{"hash-b", "image", 0, 1, {1, 2, 3}}});
  const std::int64_t extract = ensure_job(db, "extract-old", "extract", "{}", 0);
  mark_job_done(db, extract, 1.0, 0);
  check_database(db, true, [](const std::string&) -> FeatureSetKey { throw std::runtime_error("no features"); });
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
