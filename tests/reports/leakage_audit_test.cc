// The leakage audit (issue 17) on a small database with planted leaks whose
// counts are known by construction: carousel siblings on both sides of a
// split, a near duplicate that dedup's rule matches (distance 0.01 under the
// threshold 0.5), a same-template pair it does not (distance 1.0: not a
// leak), a forward-chaining fold that trains past its validation block, and
// jobs recorded before training items were kept.
#include "reports/leakage_audit.h"

#include <gtest/gtest.h>

#include <cstdio>

#include "common/file_util.h"
#include "common/time_format.h"
#include "reports/dedup_rule.h"
#include "reports/report_writer.h"
#include "reports/svg_canvas.h"
#include "reports/sweep_results.h"
#include "reports/sweep_selection.h"
#include "storage/database.h"
#include "storage/dedup_candidate_tables.h"
#include "storage/feature_tables.h"
#include "storage/job_tables.h"
#include "storage/profile_writer.h"
#include "storage/result_tables.h"
#include "tests/support/temp_dir.h"
#include "worker/features/feature_set_key.h"

namespace popsweep::reports {
namespace {

const nlohmann::json kFeatures = {
    {"backbone", "mobilenet_v2"}, {"weights_hash", "abc123"}, {"image_size", 224}, {"views", 0}, {"view_seed", 0}};
constexpr int kDim = 1280;
using Ids = std::vector<std::int64_t>;

TEST(LeakageAudit, CountsValidationItemsWithAPostOrADuplicateInTraining) {
  // Posts: A = {1, 4}, B = {2, 5}, C = {3}, D = {6}, E = {7}; dedup pairs 6-3 and 7-8.
  const std::map<std::int64_t, MediaFact> media{{1, {"A", 100}}, {2, {"B", 200}}, {3, {"C", 300}}, {4, {"A", 100}},
                                                {5, {"B", 200}}, {6, {"D", 400}}, {7, {"E", 500}}};
  const std::map<std::int64_t, std::vector<std::int64_t>> neighbours{{6, {3}}, {3, {6}}, {7, {8}}, {8, {7}}};
  const JobLeakage job = audit_job({1, 2, 3}, {4, 5, 6, 7}, media, &neighbours);
  EXPECT_EQ(job.validations, 4);
  EXPECT_EQ(job.sharing_post, 2);  // 4 (post A) and 5 (post B)
  EXPECT_EQ(job.duplicates, 1);    // 6, whose duplicate 3 was trained on; 8 was not
  EXPECT_EQ(job.latest_training, 300);
  EXPECT_EQ(job.earliest_validation, 100);
  EXPECT_EQ(audit_job({1, 2, 3}, {4, 5, 6, 7}, media, nullptr).duplicates, 0);  // not audited
}

// Six image posts a day apart at days 10..60 (media ids by creation):
//   c1 carousel {m1, m2}, c2 carousel {m3, m4}, s5 {m5}, s6 {m6}, s7 {m7}, s8 {m8}.
// Embeddings far apart (10 units) except m6 = m5 + 0.01 and m8 = m7 + 1.0.
class LeakageAuditDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::Transaction transaction(db_);
    const std::int64_t profile = storage::upsert_profile(db_, {0, "brand", "/profile", "popsweep", 1});
    const std::int64_t set_id = storage::ensure_feature_set(db_, features::feature_set_key(kFeatures));
    std::vector<storage::FeatureRecord> records;
    auto add_post = [&](const std::string& key, int day, const std::string& kind, int items) {
      const std::int64_t post =
          storage::insert_post(db_, profile, {0, key, day * kSecondsPerDay, 10, 1, std::nullopt, kind, ""});
      for (int i = 0; i < items; ++i) {
        const std::string hash = key + "-" + std::to_string(i);
        media_.push_back(storage::insert_media(db_, {0, post, i, "image", hash + ".jpg", "", hash, 1000, ""}));
        std::vector<float> embedding(kDim, 0.0f);
        const std::size_t n = media_.size();
        if (n == 6) {
          embedding[4] = 10.0f, embedding[kDim - 1] = 0.01f;  // m5 + 0.01
        } else if (n == 8) {
          embedding[6] = 10.0f, embedding[kDim - 2] = 1.0f;  // m7 + 1.0: same template, kept by dedup
        } else {
          embedding[n - 1] = 10.0f;
        }
        records.push_back({hash, "image", 0, 1, embedding});
      }
    };
    add_post("c1", 10, "carousel", 2);
    add_post("c2", 20, "carousel", 2);
    add_post("s5", 30, "image", 1);
    add_post("s6", 40, "image", 1);
    add_post("s7", 50, "image", 1);
    add_post("s8", 60, "image", 1);
    storage::save_features(db_, set_id, records);
    storage::save_dedup_run(db_, {set_id, std::nullopt, false, "near-duplicate removal disabled", 0, 0, 0});
    transaction.commit();
    set_id_ = set_id;
    sweep_id_ = storage::upsert_sweep(db_, sweep_row());

    // media: carousel siblings on both sides, and the m5-m6 duplicates.
    add_job(R"({"train.split":"media"})", "image", 0, Ids{m(1), m(3), m(5), m(7)}, {m(2), m(4), m(6), m(8)});
    add_job(R"({"train.split":"media"})", "image", 1, Ids{m(2), m(4), m(6), m(8)}, {m(1), m(3), m(5), m(7)});
    // post: clean, though m7's same-template twin m8 is trained on (dedup keeps both: not a leak); one job unrecorded.
    add_job(R"({"train.split":"post"})", "image", 0, Ids{m(1), m(2), m(5), m(8)}, {m(3), m(4), m(7)});
    add_job(R"({"train.split":"post"})", "image", 1, std::nullopt, {m(1), m(2), m(5), m(8)});
    add_job(R"({"train.split":"post"})", "cnn_rnn", 0, std::nullopt, {m(3)});
    // time, gap 1 week: trains up to day 50 (m7) but validates from day 40 (m6), whose duplicate m5 it trained on.
    add_job(R"({"train.split":"time"})", "image", 1, Ids{m(1), m(2), m(3), m(4), m(5), m(7)}, {m(6), m(8)});
    storage::set_sweep_jobs(db_, sweep_id_, job_ids_, points_);
  }

  // The jobs' dedup settings: dedup disabled, the paper's kind of rule.
  virtual nlohmann::json dedup_params() const { return {{"enabled", false}, {"threshold", 0.5}}; }

  storage::SweepRow sweep_row() const {
    storage::SweepRow row;
    row.name = "audit";
    row.spec_text = "{}";
    row.result_hash = "h";
    row.created_at = row.updated_at = 100;
    return row;
  }

  std::int64_t m(int n) const { return media_.at(static_cast<std::size_t>(n - 1)); }

  void add_job(const std::string& point, const std::string& experiment, int fold,
               const std::optional<std::vector<std::int64_t>>& training, const std::vector<std::int64_t>& validation) {
    const nlohmann::json swept = nlohmann::json::parse(point);
    nlohmann::json params{{"features", kFeatures},
                          {"dedup", dedup_params()},
                          {"experiment", experiment},
                          {"folds", 2},
                          {"fold", fold}};
    const std::string split = swept.at("train.split");
    if (split != "media") params["split"] = split;
    if (split == "time") params["time_gap_weeks"] = 1.0;
    const std::int64_t id = storage::ensure_job(db_, params.dump(), "train", params.dump(), 0);
    storage::TrainResultRow row;
    row.job_id = id;
    row.experiment = experiment;
    row.classes = 2;
    row.fold = fold;
    row.confusion_best = row.confusion_last = "[[0,0],[0,0]]";
    row.val_items = static_cast<int>(validation.size());
    std::vector<storage::PredictionRow> predictions;
    for (const std::int64_t media : validation) predictions.push_back({media, 0, 0, 0, {0.8f, 0.2f}, {0.8f, 0.2f}});
    storage::save_train_result(db_, row, {}, predictions);
    if (training) storage::save_training_media_ids(db_, id, *training);
    storage::mark_job_done(db_, id, 1.0, 1000);
    job_ids_.push_back(id);
    points_.push_back(point);
  }

  const GroupLeakage& group(const LeakageAudit& audit, const std::string& split, const std::string& experiment) {
    for (const GroupLeakage& g : audit.groups) {
      if (g.split == split && g.experiment == experiment) return g;
    }
    throw std::runtime_error("no group " + split + " " + experiment);
  }

  LeakageAudit audit() {
    const SweepResults results = load_sweep_results(db_, select_sweep(db_, "audit"));
    return audit_leakage(db_, results, dedup_stage_rule(db_));
  }

  storage::Database db_ = storage::Database::open_in_memory();
  std::int64_t set_id_ = 0;
  std::int64_t sweep_id_ = 0;
  std::vector<std::int64_t> media_, job_ids_;
  std::vector<std::string> points_;
};

TEST_F(LeakageAuditDatabaseTest, MediaSplitLeaksCarouselSiblingsAndDuplicatesButNotSameTemplatePictures) {
  const GroupLeakage& media = group(audit(), "media", "image");
  EXPECT_EQ(media.jobs, 2);
  EXPECT_EQ(media.unrecorded_jobs, 0);
  EXPECT_EQ(media.validations, 8);
  EXPECT_EQ(media.sharing_post, 4);  // m2, m4 in fold 0; m1, m3 in fold 1
  ASSERT_TRUE(media.duplicates.has_value());
  EXPECT_EQ(*media.duplicates, 2);  // m6 (m5 trained) and m5 (m6 trained); never m7-m8 at distance 1.0
  EXPECT_NE(media.duplicate_rule.find("0.5"), std::string::npos) << media.duplicate_rule;
  EXPECT_NE(media.duplicate_rule.find("dedup disabled"), std::string::npos) << media.duplicate_rule;
  EXPECT_TRUE(media.leaks());
  EXPECT_FALSE(media.time_order_broken());  // not checked outside `time`
}

TEST_F(LeakageAuditDatabaseTest, PostSplitIsCleanAndUnrecordedJobsAreSaidSoNotGuessed) {
  const LeakageAudit result = audit();
  const GroupLeakage& post = group(result, "post", "image");
  EXPECT_EQ(post.jobs, 2);
  EXPECT_EQ(post.unrecorded_jobs, 1);
  EXPECT_EQ(post.validations, 3);
  EXPECT_EQ(post.sharing_post, 0);
  EXPECT_EQ(post.duplicates, 0);
  EXPECT_FALSE(post.leaks());
  const GroupLeakage& unrecorded = group(result, "post", "cnn_rnn");
  EXPECT_FALSE(unrecorded.recorded());

  const TextTable table = leakage_table(result);
  ASSERT_EQ(table.header[0], "point");
  std::vector<std::string> post_image, post_cnn_rnn;
  for (const std::vector<std::string>& row : table.rows) {
    if (row[0] == "train.split=post" && row[1] == "image") post_image = row;
    if (row[0] == "train.split=post" && row[1] == "cnn_rnn") post_cnn_rnn = row;
  }
  ASSERT_FALSE(post_image.empty());
  EXPECT_EQ(post_image[4], "none (1 of 2 jobs not recorded)");
  EXPECT_EQ(post_image[5], "none (1 of 2 jobs not recorded)");
  ASSERT_FALSE(post_cnn_rnn.empty());
  EXPECT_EQ(post_cnn_rnn[4], "not recorded (job from an earlier release)");
}

TEST_F(LeakageAuditDatabaseTest, TimeSplitComparesTheLatestTrainingItemWithTheEarliestValidatedOne) {
  const GroupLeakage& time = group(audit(), "time", "image");
  EXPECT_EQ(time.sharing_post, 0);
  EXPECT_EQ(time.duplicates, 1);  // m6, whose duplicate m5 was trained on
  ASSERT_TRUE(time.latest_training.has_value());
  EXPECT_EQ(*time.latest_training, 50 * kSecondsPerDay);      // m7
  EXPECT_EQ(*time.earliest_validation, 40 * kSecondsPerDay);  // m6
  EXPECT_DOUBLE_EQ(time.required_gap_weeks, 1.0);
  EXPECT_TRUE(time.time_order_broken());
}

TEST_F(LeakageAuditDatabaseTest, ReportWarnsInMarkdownHtmlAndTerminal) {
  testing::TempDir out;
  const WrittenReport report = write_report(db_, "audit", out.file("report"));
  const std::string markdown = read_text_file(out.file("report/report.md"));
  const std::string html = read_text_file(out.file("report/report.html"));
  for (const std::string& expected :
       {std::string("4 of 8 validation predictions share a post with a training item"),
        std::string("2 of 8 validation predictions have a training item that dedup's rule matches"),
        std::string("latest training item 1970-02-20 is 1.4 weeks after the earliest validated item 1970-02-10")}) {
    EXPECT_NE(markdown.find(expected), std::string::npos) << expected;
    EXPECT_NE(report.summary.find(expected), std::string::npos) << expected;
    EXPECT_NE(html.find(escape_xml(expected)), std::string::npos) << expected;
  }
  EXPECT_NE(markdown.find("> **Warning: leakage.**"), std::string::npos);
  EXPECT_NE(markdown.find("## Leakage audit"), std::string::npos);
  EXPECT_NE(html.find("class=\"warning\" role=\"alert\""), std::string::npos);
  EXPECT_NE(report.summary.find("WARNING: leakage: "), std::string::npos);
  EXPECT_NE(report.summary.find("2 job(s) not recorded"), std::string::npos);  // post: image's and cnn_rnn's
  const nlohmann::json json = nlohmann::json::parse(read_text_file(out.file("report/results.json")));
  ASSERT_TRUE(json.contains("leakage_audit"));
}

// Issue 21: the same database, but the sweep ran dedup with pixel
// verification at the given threshold 2.0, under which the feature rule
// alone matches both m5-m6 (distance 0.01) and the same-template m7-m8
// (distance 1.0). Verification accepted m5-m6 and rejected m7-m8 (their
// pictures differ in a block), as the dedup stage stored it: the audit
// counts m5-m6 only and says it used the verified decisions.
class VerifiedLeakageAuditTest : public LeakageAuditDatabaseTest {
 protected:
  nlohmann::json dedup_params() const override {
    return {{"enabled", true},
            {"threshold", 2.0},
            {"verify", {{"mirror", false}, {"max_block_difference", 14.0}, {"candidate_factor", 5.0}}}};
  }

  void SetUp() override {
    LeakageAuditDatabaseTest::SetUp();
    storage::Transaction transaction(db_);
    storage::save_dedup_run(db_, {set_id_, 2.0, false, "threshold 2 given; candidates verified", 6, 0, 1});
    storage::replace_dedup_candidates(db_, set_id_,
                                      {{m(5), m(6), "image", 0.01, true, true, 3.5, "blocks-agree"},
                                       {m(7), m(8), "image", 1.0, true, false, 48.0, "block-differs"}});
    transaction.commit();
  }
};

TEST_F(VerifiedLeakageAuditTest, CountsPairsVerificationAcceptedNotTheTemplatePairItRejected) {
  const LeakageAudit result = audit();
  const GroupLeakage& media = group(result, "media", "image");
  ASSERT_TRUE(media.duplicates.has_value());
  EXPECT_EQ(*media.duplicates, 2);  // m6 and m5 across the two folds; m7 and m8 not
  EXPECT_TRUE(media.duplicate_rule_verified);
  EXPECT_NE(media.duplicate_rule.find("pixel verification accepted"), std::string::npos)
      << media.duplicate_rule;
  EXPECT_NE(media.duplicate_rule.find("1 of 2 candidates rejected"), std::string::npos)
      << media.duplicate_rule;
  EXPECT_EQ(group(result, "post", "image").duplicates, 0);  // m7 validated, m8 trained: rejected, no leak
  EXPECT_EQ(group(result, "time", "image").duplicates, 1);  // m6 (m5 trained); not m8 (m7 trained)
  for (const nlohmann::json& json : leakage_json(result)) {
    if (json["split"] == "media") {
      EXPECT_EQ(json["duplicate_rule_verified"], true);
    }
  }

  // The feature rule alone at the same threshold matches the template pair
  // too: what the audit counted before it used verification's decisions.
  const DuplicateMatches feature_rule = dedup_stage_rule(db_)(set_id_, 2.0);
  EXPECT_EQ(feature_rule.pairs.size(), 2u);
  std::map<std::int64_t, std::vector<std::int64_t>> neighbours;
  for (const auto& [a, b] : feature_rule.pairs) neighbours[a].push_back(b), neighbours[b].push_back(a);
  std::map<std::int64_t, MediaFact> facts;
  for (int n = 1; n <= 8; ++n) facts[m(n)] = {"p" + std::to_string(n), n};
  const int feature_leaks =
      audit_job({m(1), m(3), m(5), m(7)}, {m(2), m(4), m(6), m(8)}, facts, &neighbours).duplicates +
      audit_job({m(2), m(4), m(6), m(8)}, {m(1), m(3), m(5), m(7)}, facts, &neighbours).duplicates;
  EXPECT_EQ(feature_leaks, 4);
  std::printf(
      "media split: %d leaks by the feature rule alone, %d by verified decisions (%d template-pair false "
      "alarms)\n",
      feature_leaks, *media.duplicates, feature_leaks - *media.duplicates);
}

TEST_F(VerifiedLeakageAuditTest, DedupDisabledSaysNothingWasVerified) {
  // Disabled dedup stores no decisions: the feature rule, said so.
  db_.execute("DELETE FROM dedup_candidates");
  db_.execute("UPDATE jobs SET params = replace(params, '\"enabled\":true', '\"enabled\":false')");
  const GroupLeakage& media = group(audit(), "media", "image");
  EXPECT_FALSE(media.duplicate_rule_verified);
  EXPECT_NE(media.duplicate_rule.find("no pair was verified"), std::string::npos) << media.duplicate_rule;
  EXPECT_EQ(media.duplicates, 4);
}

TEST(LeakageAuditReport, CleanSweepSaysNone) {
  LeakageAudit audit;
  GroupLeakage clean;
  clean.point = "{}";
  clean.experiment = "image";
  clean.classes = 2;
  clean.split = "post";
  clean.jobs = 2;
  clean.validations = 10;
  clean.duplicates = 0;
  clean.duplicate_rule = "distance < 0.5";
  audit.groups = {clean};
  clean.experiment = "cnn_rnn";
  audit.groups.push_back(clean);
  EXPECT_TRUE(leakage_warnings(audit).empty());
  const TextTable table = leakage_table(audit);
  // Nothing swept: no point column; both groups read the same: one row.
  EXPECT_EQ(table.header[0], "experiment");
  ASSERT_EQ(table.rows.size(), 1u);
  EXPECT_EQ(table.rows[0], (std::vector<std::string>{"all", "all", "post", "none", "none"}));
  // One rule for all: said once, in the caption; no `time` group: no time column.
  EXPECT_NE(table.caption.find("duplicates by dedup's rule: distance < 0.5"), std::string::npos) << table.caption;
}

}  // namespace
}  // namespace popsweep::reports
