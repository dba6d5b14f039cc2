// The report's data figures on a small hand-built database whose numbers are
// worked out below: the M6 means, the M3 correlation, the extrapolated
// follower estimates, the nearest-neighbour distances, and figures that are
// left out when their data is missing.
#include "reports/data_figures.h"

#include <gtest/gtest.h>

#include <cmath>

#include <nlohmann/json.hpp>

#include "storage/database.h"
#include "storage/feature_tables.h"
#include "storage/job_tables.h"
#include "storage/label_tables.h"
#include "storage/profile_writer.h"
#include "worker/features/feature_set_key.h"

namespace popsweep::reports {
namespace {

size_t count_of(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++count;
  return count;
}

nlohmann::json feature_params() {
  return {{"backbone", "efficientnet_b0"}, {"weights_hash", "random:0"}, {"image_size", 224}, {"views", 0},
          {"view_seed", 0}};
}

// Posts (time, likes, comments, impressions) and their media (type, PoR,
// followers, extrapolated) under the 2-class centred 4-week labels:
//   p1 t=1000  10+2 / 100   image m1: PoR 0.1, 100 followers, extrapolated
//   p2 t=2000  20+4 / 150   image m2 + video m3: PoR 0.4, 110
//   p3 t=3000   5+1 / -     video m4: PoR 0.3, 120
//   p4 t=4000  30+0 / 200   images m5, m6: PoR 0.2, 130, extrapolated
// M6: image-only posts p1, p4 -> (0.1 + 0.2) / 2 = 0.15;
//     posts with video p2, p3 -> (0.4 + 0.3) / 2 = 0.35.
// M3: posts with impressions p1, p2, p4: PoR x = (0.1, 0.4, 0.2), rate
//     y = (0.12, 0.16, 0.15); means 0.23333, 0.14333; Sxy = 0.0056667,
//     Sxx = 0.046667, Syy = 0.00086667 -> r = 0.0056667 / sqrt(Sxx Syy) = 0.891.
class DataFiguresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    profile_id_ = storage::upsert_profile(db_, {0, "someone", "/data/someone", "popsweep", 0});
    add_post("p1", 1000, 10, 2, 100, {"image"});
    add_post("p2", 2000, 20, 4, 150, {"image", "video"});
    add_post("p3", 3000, 5, 1, std::nullopt, {"video"});
    add_post("p4", 4000, 30, 0, 200, {"image", "image"});
    storage::replace_followers(db_, profile_id_, {{500, 95}, {2500, 115}});
    sweep_id_ = storage::upsert_sweep(db_, {0, "paper", "", "h", 1, 100, 100, ""});
  }

  void add_post(const std::string& key, std::int64_t t, std::int64_t likes, std::int64_t comments,
                std::optional<std::int64_t> impressions, const std::vector<std::string>& types) {
    storage::PostRow post;
    post.key = key;
    post.posted_at = t;
    post.likes = likes;
    post.comments = comments;
    post.impressions = impressions;
    post.kind = types.size() > 1 ? "carousel" : types[0];
    const std::int64_t post_id = storage::insert_post(db_, profile_id_, post);
    for (size_t i = 0; i < types.size(); ++i) {
      storage::MediaRow media;
      media.post_id = post_id;
      media.index = static_cast<int>(i);
      media.type = types[i];
      media.path = key + "_" + std::to_string(i);
      media.content_hash = "hash-" + key + "-" + std::to_string(i);
      media.size_bytes = 10;
      media_ids_.push_back(storage::insert_media(db_, media));
    }
  }

  // m1..m6 in the order above.
  std::int64_t media(int n) const { return media_ids_[static_cast<size_t>(n - 1)]; }

  void add_labels(const std::string& mode, double window) {
    const std::vector<double> por = {0.1, 0.4, 0.4, 0.3, 0.2, 0.2};
    const std::vector<double> followers = {100, 110, 110, 120, 130, 130};
    const std::vector<bool> extrapolated = {true, false, false, false, true, true};
    std::vector<storage::LabelRow> rows;
    for (int n = 1; n <= 6; ++n) {
      const size_t i = static_cast<size_t>(n - 1);
      rows.push_back({media(n), followers[i], extrapolated[i], por[i], por[i] > 0.25 ? 1 : 0});
    }
    storage::save_labels(db_, {0, 2, window, mode}, rows);
  }

  void add_train_job() {
    const nlohmann::json params = {
        {"labels", {{"classes", 2}, {"window_weeks", 4.0}, {"mode", "centered"}}},
        {"features", feature_params()},
        {"experiment", "image"}};
    const std::int64_t id = storage::ensure_job(db_, "train/1", "train", params.dump(), 0);
    storage::set_sweep_jobs(db_, sweep_id_, {id});
  }

  // 2-d embeddings: images m1 (0,0), m2 (3,4), m5 (0,-1), m6 (6,8); video
  // thumbnails m3 (1,1), m4 (5,5). Image nearest distances: m1 1 (m5),
  // m2 5 (m1 or m6; m5 is sqrt(34) away), m5 1, m6 5.
  std::int64_t add_features() {
    const std::int64_t set_id = storage::ensure_feature_set(db_, features::feature_set_key(feature_params()));
    auto record = [&](int n, const std::string& role, float x, float y) {
      const size_t i = static_cast<size_t>(n - 1);
      const std::vector<std::string> keys = {"p1-0", "p2-0", "p2-1", "p3-0", "p4-0", "p4-1"};
      return storage::FeatureRecord{"hash-" + keys[i], role, 0, 1, {x, y}};
    };
    storage::save_features(db_, set_id,
                           {record(1, "image", 0, 0), record(2, "image", 3, 4), record(5, "image", 0, -1),
                            record(6, "image", 6, 8), record(3, "thumbnail", 1, 1), record(4, "thumbnail", 5, 5)});
    return set_id;
  }

  DataInputs inputs() { return load_data_inputs(db_, sweep_id_); }

  storage::Database db_ = storage::Database::open_in_memory();
  std::int64_t profile_id_ = 0;
  std::int64_t sweep_id_ = 0;
  std::vector<std::int64_t> media_ids_;
};

TEST_F(DataFiguresTest, MeanPorOfImageOnlyPostsAndPostsWithVideo) {
  add_labels("centered", 4);
  add_train_job();
  const MediaKindPor por = media_kind_por(inputs());
  ASSERT_TRUE(por.image_only && por.with_video);
  EXPECT_NEAR(*por.image_only, 0.15, 1e-12);
  EXPECT_NEAR(*por.with_video, 0.35, 1e-12);
  EXPECT_EQ(por.image_only_posts, 2);
  EXPECT_EQ(por.with_video_posts, 2);
  const std::optional<ReportChart> chart = media_kind_chart(inputs());
  ASSERT_TRUE(chart);
  // The bars' tooltips carry their values.
  EXPECT_NE(chart->svg.find("mean PoR / image only (2 posts): 0.1500"), std::string::npos) << chart->svg;
  EXPECT_NE(chart->svg.find("mean PoR / with video (2 posts): 0.3500"), std::string::npos);
}

TEST_F(DataFiguresTest, EngagementCorrelationIsPearsonOverPostsWithImpressions) {
  add_labels("centered", 4);
  add_train_job();
  const EngagementPoints points = engagement_points(inputs());
  ASSERT_EQ(points.por.size(), 3u);  // p3 has no impressions
  EXPECT_NEAR(points.engagement_rate[0], 0.12, 1e-12);
  EXPECT_NEAR(points.engagement_rate[1], 0.16, 1e-12);
  EXPECT_NEAR(points.engagement_rate[2], 0.15, 1e-12);
  ASSERT_TRUE(points.r);
  EXPECT_NEAR(*points.r, 0.0056666667 / std::sqrt(0.046666667 * 0.00086666667), 1e-6);
  const std::optional<ReportChart> chart = engagement_chart(inputs());
  ASSERT_TRUE(chart);
  EXPECT_NE(chart->svg.find("Pearson r = 0.891, n = 3"), std::string::npos) << chart->title;
}

TEST_F(DataFiguresTest, PearsonIsUndefinedWithoutSpread) {
  EXPECT_FALSE(pearson({1, 2}, {3, 3}));
  EXPECT_FALSE(pearson({1}, {3}));
  EXPECT_NEAR(*pearson({1, 2, 3}, {6, 4, 2}), -1.0, 1e-12);
}

TEST_F(DataFiguresTest, FollowerChartMarksExactlyTheExtrapolatedPostTimes) {
  add_labels("centered", 4);
  add_train_job();
  const std::optional<ReportChart> chart = follower_chart(inputs());
  ASSERT_TRUE(chart);
  // p1 and p4 (two media, one post time) are extrapolated; p2 and p3 are not.
  EXPECT_EQ(count_of(chart->svg, "<title>extrapolated estimate:"), 2u);
  EXPECT_NE(chart->svg.find("<title>extrapolated estimate: 100 followers on 1970-01-01"), std::string::npos);
  EXPECT_NE(chart->svg.find("<title>extrapolated estimate: 130 followers"), std::string::npos);
  EXPECT_EQ(count_of(chart->svg, "<title>sample:"), 2u);
  EXPECT_EQ(count_of(chart->svg, "<polyline"), 1u);  // the estimates at the 4 post times
  EXPECT_NE(chart->title.find("4 post times (2 extrapolated)"), std::string::npos) << chart->title;
}

TEST_F(DataFiguresTest, PorChartsPutTheRollingWindowBesideTheGlobalSplit) {
  add_labels("centered", 4);
  add_labels("global", 0);
  add_train_job();
  const std::vector<ReportChart> charts = por_over_time_charts(inputs());
  ASSERT_EQ(charts.size(), 4u);
  EXPECT_EQ(charts[0].file_stem, "data_por_2c_centered_4w_image");
  EXPECT_EQ(charts[1].file_stem, "data_por_2c_global_0w_image");
  EXPECT_EQ(charts[2].file_stem, "data_por_2c_centered_4w_video");
  EXPECT_EQ(charts[3].file_stem, "data_por_2c_global_0w_video");
  EXPECT_EQ(count_of(charts[0].svg, "<circle"), 4u);  // m1, m2, m5, m6
  EXPECT_EQ(count_of(charts[2].svg, "<circle"), 2u);  // m3, m4
}

TEST_F(DataFiguresTest, OnlyTheSweepsOwnLabelsWhenThereIsNoCounterpart) {
  add_labels("centered", 4);
  add_train_job();
  EXPECT_EQ(por_over_time_charts(inputs()).size(), 2u);
}

TEST_F(DataFiguresTest, NearestDistancesWithTheDedupThreshold) {
  add_labels("centered", 4);
  add_train_job();
  const std::int64_t set_id = add_features();
  storage::DedupRunRow run;
  run.feature_set_id = set_id;
  run.threshold = 2.5;
  run.suggested = true;
  storage::save_dedup_run(db_, run);
  const std::optional<ReportChart> chart = nearest_distance_chart(db_, inputs());
  ASSERT_TRUE(chart);
  EXPECT_NE(chart->title.find("(n = 4)"), std::string::npos) << chart->title;
  EXPECT_NE(chart->svg.find("dedup threshold 2.5 (suggested)"), std::string::npos);
  // 30 bins over [0, 5]: distances 1, 1 in one bin and 5, 5 in the last.
  EXPECT_NE(chart->svg.find(": 2</title>"), std::string::npos);
  EXPECT_EQ(count_of(chart->svg, ": 2</title>"), 2u);
}

TEST_F(DataFiguresTest, TsneMapIsDeterministicAndColouredByClass) {
  add_labels("centered", 4);
  add_train_job();
  add_features();
  const DataInputs data = inputs();
  const std::optional<ReportChart> first = tsne_chart(db_, data, 1500, 100);
  const std::optional<ReportChart> second = tsne_chart(db_, data, 1500, 100);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->svg, second->svg);
  EXPECT_EQ(count_of(first->svg, "<title>image "), 4u);
  EXPECT_EQ(count_of(first->svg, "<title>video thumbnail "), 2u);
  // m2, m3 and m4 are class 1.
  EXPECT_EQ(count_of(first->svg, ": class 1</title>"), 3u);
  // At most five points: a subsample, still evenly spread.
  const std::optional<ReportChart> capped = tsne_chart(db_, data, 5, 100);
  ASSERT_TRUE(capped);
  EXPECT_EQ(count_of(capped->svg, "<circle"), 5u);
}

TEST_F(DataFiguresTest, FiguresAreAbsentWhenTheirDataIsMissing) {
  // Nothing labelled, no features, no train jobs: only the follower samples.
  const DataInputs data = inputs();
  EXPECT_TRUE(por_over_time_charts(data).empty());
  EXPECT_FALSE(engagement_chart(data));
  EXPECT_FALSE(media_kind_chart(data));
  EXPECT_FALSE(nearest_distance_chart(db_, data));
  EXPECT_FALSE(tsne_chart(db_, data));
  ASSERT_TRUE(follower_chart(data));
  const std::vector<ReportChart> all = data_figures(db_, sweep_id_);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].file_stem, "data_followers");

  // Labels but no features: the feature figures stay out.
  add_labels("centered", 4);
  add_train_job();
  EXPECT_FALSE(nearest_distance_chart(db_, inputs()));
  EXPECT_FALSE(tsne_chart(db_, inputs()));
  EXPECT_EQ(data_figures(db_, sweep_id_).size(), 2u + 3u);  // 2 PoR, followers, M3, M6
}

TEST_F(DataFiguresTest, NoFollowerChartWithoutSamplesOrLabels) {
  storage::replace_followers(db_, profile_id_, {});
  EXPECT_FALSE(follower_chart(inputs()));
  EXPECT_TRUE(data_figures(db_, sweep_id_).empty());
}

TEST(DataFiguresWithoutProfileTest, ADatabaseWithNothingIngestedHasNoDataFigures) {
  storage::Database db = storage::Database::open_in_memory();
  const std::int64_t sweep = storage::upsert_sweep(db, {0, "paper", "", "h", 1, 100, 100, ""});
  EXPECT_TRUE(data_figures(db, sweep).empty());
}

}  // namespace
}  // namespace popsweep::reports
