// A training set never drops media silently (issue 24): media dedup removed
// and media a stage recorded as unreadable are left out (the latter counted
// and listed by `status`), but a labelled medium that should have features
// and has none is an error naming how many and which, so a lost extraction
// batch cannot train on less than the spec asked for.
#include "orchestrator/stages/training_dataset.h"

#include <gtest/gtest.h>

#include "orchestrator/pipeline_handlers.h"
#include "orchestrator/stages/train_stage.h"
#include "storage/database.h"
#include "storage/feature_tables.h"
#include "storage/job_tables.h"
#include "storage/label_tables.h"
#include "storage/profile_tables.h"
#include "storage/profile_writer.h"
#include "worker/features/feature_set_key.h"

namespace popsweep::orchestrator {
namespace {

const nlohmann::json kFeatures = {{"backbone", "mobilenet_v2"},
                                  {"weights_hash", "abc123"},
                                  {"image_size", 224},
                                  {"views", 0},
                                  {"view_seed", 0}};
constexpr int kDim = 1280;
constexpr int kFrames = 15;

// One post per medium, each labelled class 0 or 1. By construction:
//   kept      images with features            -> in the set
//   duplicate an image dedup removed          -> left out, not counted
//   unreadable an image extraction recorded    -> left out, counted as skipped
//   video     a video with its 15 frames       -> in the set
// and, per test, media without features and without a reason.
class TrainingDatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::Transaction transaction(db_);
    profile_ = storage::upsert_profile(db_, {0, "brand", "/profile", "popsweep", 1});
    set_id_ = storage::ensure_feature_set(db_, features::feature_set_key(kFeatures));
    kept_ = {add("kept-a", "image", true), add("kept-b", "image", true)};
    duplicate_ = add("duplicate", "image", false);
    unreadable_ = add("unreadable", "image", false);
    video_ = add("video", "video", true);
    storage::replace_duplicates(db_, set_id_, {{duplicate_, kept_[0], 0.01, 0.5}});
    storage::record_media_problem(db_, unreadable_, "extract", "cannot decode");
    transaction.commit();
  }

  // A labelled medium in a post of its own; its features stored or not.
  std::int64_t add(const std::string& name, const std::string& type, bool with_features) {
    const std::int64_t post = storage::insert_post(
        db_, profile_,
        {0, name, 1000 * static_cast<std::int64_t>(labels_.size() + 1), 10, 1, std::nullopt, type, ""});
    const std::int64_t media =
        storage::insert_media(db_, {0, post, 0, type, "/profile/" + name, "", name, 100, ""});
    labels_.push_back({media, 1000, false, 0.5, static_cast<int>(labels_.size() % 2)});
    storage::save_labels(db_, {0, 2, 8, "centered"}, labels_);
    if (with_features) {
      const int rows = type == "video" ? kFrames : 1;
      storage::save_features(
          db_, set_id_,
          {{name, type == "video" ? "frames" : "image", 0, rows, std::vector<float>(rows * kDim, 1.0f)}});
    }
    return media;
  }

  nlohmann::json params() const {
    return {{"labels", {{"classes", 2}, {"window_weeks", 8.0}, {"mode", "centered"}}},
            {"features", kFeatures},
            {"dedup", {{"enabled", true}}},
            {"train", {{"mode", "features"}}}};
  }

  std::string error_of_build() {
    try {
      build_training_dataset(db_, params());
    } catch (const MissingFeaturesError& error) {
      return error.what();
    }
    return "";
  }

  storage::Database db_ = storage::Database::open_in_memory();
  std::int64_t profile_ = 0, set_id_ = 0;
  std::vector<storage::LabelRow> labels_;
  std::vector<std::int64_t> kept_;
  std::int64_t duplicate_ = 0, unreadable_ = 0, video_ = 0;
};

TEST_F(TrainingDatasetTest, GapsWithAReasonAreLeftOutAndOnlyTheUnreadableCounted) {
  const TrainingDataset dataset = read_training_dataset(build_training_dataset(db_, params()));
  EXPECT_EQ(dataset.image_ids, kept_);
  EXPECT_EQ(dataset.video_ids, std::vector<std::int64_t>{video_});
  EXPECT_EQ(dataset.skipped, 1);  // the unreadable image; the duplicate is dedup's, reported by dedup
}

TEST_F(TrainingDatasetTest, MediaWithoutFeaturesOrAReasonAreAnErrorNamingHowManyAndWhich) {
  const std::int64_t lost_image = add("lost-image", "image", false);
  const std::int64_t lost_video = add("lost-video", "video", false);
  const std::string error = error_of_build();
  ASSERT_FALSE(error.empty()) << "a training set without 2 media's features was built";
  EXPECT_NE(error.find("lacks features for 2 labelled media"), std::string::npos) << error;
  EXPECT_NE(error.find("media " + std::to_string(lost_image) + " (/profile/lost-image)"), std::string::npos)
      << error;
  EXPECT_NE(error.find("media " + std::to_string(lost_video) + " (/profile/lost-video)"), std::string::npos)
      << error;
  for (const std::int64_t explained : {duplicate_, unreadable_}) {
    EXPECT_EQ(error.find("media " + std::to_string(explained) + " "), std::string::npos) << error;
  }
}

TEST_F(TrainingDatasetTest, AnImageMissingOneOfItsViewsCountsAsMissing) {
  // features.views 1 asks for view 0 and view 1; kept-b has only view 0.
  nlohmann::json two_views = kFeatures;
  two_views["views"] = 1;
  const std::int64_t set = storage::ensure_feature_set(db_, features::feature_set_key(two_views));
  storage::save_features(db_, set,
                         {{"kept-a", "image", 0, 1, std::vector<float>(kDim, 1.0f)},
                          {"kept-a", "image", 1, 1, std::vector<float>(kDim, 1.0f)},
                          {"kept-b", "image", 0, 1, std::vector<float>(kDim, 1.0f)},
                          {"video", "frames", 0, kFrames, std::vector<float>(kFrames * kDim, 1.0f)}});
  nlohmann::json p = params();
  p["features"] = two_views;
  p["dedup"]["enabled"] = false;  // the duplicate has no features either: now it is missing too
  try {
    build_training_dataset(db_, p);
    FAIL() << "built without kept-b's second view";
  } catch (const MissingFeaturesError& error) {
    const std::string text = error.what();
    EXPECT_NE(text.find("for 2 labelled media"), std::string::npos) << text;
    EXPECT_NE(text.find("(/profile/kept-b)"), std::string::npos) << text;
    EXPECT_NE(text.find("(/profile/duplicate)"), std::string::npos) << text;
  }
}

TEST_F(TrainingDatasetTest, ManyMissingAreCountedAndTheFirstFiveNamed) {
  for (int i = 0; i < 7; ++i) add("lost-" + std::to_string(i), "image", false);
  const std::string error = error_of_build();
  EXPECT_NE(error.find("lacks features for 7 labelled media"), std::string::npos) << error;
  EXPECT_NE(error.find("(/profile/lost-4) and 2 more"), std::string::npos) << error;
  EXPECT_EQ(error.find("lost-5"), std::string::npos) << error;
}

// In a sweep the error fails each training job of that set (the scheduler
// records it on the job) instead of building a smaller set, and the set is
// not rebuilt for every job to find the same gap.
TEST_F(TrainingDatasetTest, TheTrainStageFailsTheJobWithTheReasonEveryTime) {
  add("lost", "image", false);
  PipelineHandlers handlers;
  TrainStage stage(db_, handlers);
  storage::JobRow job;
  job.id = 1;
  job.stage = "train";
  job.params = params().dump();
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      stage.prepare_remote(job);
      FAIL() << "attempt " << attempt << " was dispatched";
    } catch (const MissingFeaturesError& error) {
      EXPECT_NE(std::string(error.what()).find("(/profile/lost)"), std::string::npos) << error.what();
    }
  }
  EXPECT_FALSE(handlers.has_dataset(training_dataset_key(db_, params())));
}

}  // namespace
}  // namespace popsweep::orchestrator
