// The report's numbers on a small sweep whose scores are computed by hand
// (M19: a run's accuracy over its pooled folds, mean and population std over
// runs; the corrected resampled t-test on shared video folds), and the files
// `popsweep report` writes from them.
#include "reports/sweep_results.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "common/error.h"
#include "common/file_util.h"
#include "reports/detail_tables.h"
#include "reports/report_writer.h"
#include "reports/results_tables.h"
#include "reports/sweep_selection.h"
#include "storage/database.h"
#include "storage/job_tables.h"
#include "storage/result_tables.h"
#include "tests/support/temp_dir.h"

namespace popsweep::reports {
namespace {

constexpr const char* kPoint = R"({"labels.window_weeks":4})";

// Two classes; the predicted class gets 0.8.
struct Item {
  std::int64_t media = 0;
  int truth = 0;
  int predicted_best = 0;
  int predicted_last = 0;
};

std::vector<float> probabilities_for(int predicted) {
  return predicted == 0 ? std::vector<float>{0.8f, 0.2f} : std::vector<float>{0.2f, 0.8f};
}

// Validation media per (repeat, fold), shared by the video experiments:
// media 1 and 3 are class 0, media 2 and 4 class 1.
//   repeat 0: fold 0 = {1, 2}, fold 1 = {3, 4};  repeat 1: fold 0 = {1, 3}, fold 1 = {2, 4}
//
// cnn_rnn, best epoch:  r0: 2/2 + 1/2 -> 0.75;  r1: 2/2 + 2/2 -> 1.0   => 0.875 +- 0.125
// cnn_rnn, last epoch:  always class 0 -> 0.5 per run                  => 0.5 +- 0
// image_to_video (best = last): r0: 1/2 + 1/2 -> 0.5;  r1: 2/2 + 1/2 -> 0.75 => 0.625 +- 0.125
// Majority baseline (training majority class 0 everywhere): 0.5 +- 0.
// image: one repeat on its own media 5..8, all right, majority unknown => 1 +- 0, no baseline.
class SweepResultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::upsert_sweep(db_, {0, "older", "", "h0", 1, 100, 100, ""});
    sweep_id_ = storage::upsert_sweep(db_, {0, "paper", "", "h1", 1, 200, 200, ""});
    add_job("cnn_rnn", 0, 0, 0, {{1, 0, 0, 0}, {2, 1, 1, 0}},
            {{1, 0.7, 0.6, 0.9, 0.5}, {2, 0.6, 0.7, 0.8, 0.6}});
    add_job("cnn_rnn", 0, 1, 0, {{3, 0, 1, 0}, {4, 1, 1, 0}}, {{1, 0.7, 0.6, 0.9, 0.5}});
    add_job("cnn_rnn", 1, 0, 0, {{1, 0, 0, 0}, {3, 0, 0, 0}},
            {{1, 0.7, 0.6, 0.9, 1.0}, {2, 0.6, 0.7, 0.8, 0.8}});
    add_job("cnn_rnn", 1, 1, 0, {{2, 1, 1, 0}, {4, 1, 1, 0}}, {{1, 0.7, 0.6, 0.9, 1.0}});
    add_job("image_to_video", 0, 0, 0, {{1, 0, 1, 1}, {2, 1, 1, 1}}, {});
    add_job("image_to_video", 0, 1, 0, {{3, 0, 0, 0}, {4, 1, 0, 0}}, {});
    add_job("image_to_video", 1, 0, 0, {{1, 0, 0, 0}, {3, 0, 0, 0}}, {});
    add_job("image_to_video", 1, 1, 0, {{2, 1, 0, 0}, {4, 1, 1, 1}}, {});
    add_job("image", 0, 0, -1, {{5, 0, 0, 0}, {6, 1, 1, 1}}, {});
    add_job("image", 0, 1, -1, {{7, 0, 0, 0}, {8, 1, 1, 1}}, {});
    add_failed_job("train-broken", "CUDA <out> of memory & more");
    storage::set_sweep_jobs(db_, sweep_id_, job_ids_, points_);
  }

  void add_job(const std::string& experiment, int repeat, int fold, int majority_class,
               const std::vector<Item>& items, const std::vector<storage::EpochRow>& epochs) {
    const std::string key = experiment + "/" + std::to_string(repeat) + "/" + std::to_string(fold);
    const std::int64_t id = storage::ensure_job(db_, key, "train", "{}", 0);
    storage::TrainResultRow row;
    row.job_id = id;
    row.experiment = experiment;
    row.classes = 2;
    row.repeat = repeat;
    row.fold = fold;
    row.training_majority_class = majority_class;
    row.confusion_best = row.confusion_last = "[[0,0],[0,0]]";
    row.val_items = static_cast<int>(items.size());
    std::vector<storage::PredictionRow> predictions;
    for (const Item& item : items) {
      predictions.push_back({item.media, item.truth, item.predicted_best, item.predicted_last,
                             probabilities_for(item.predicted_best), probabilities_for(item.predicted_last)});
    }
    storage::save_train_result(db_, row, epochs, predictions);
    storage::mark_job_done(db_, id, 1.0, 1000);
    job_ids_.push_back(id);
    points_.push_back(kPoint);
  }

  void add_failed_job(const std::string& key, const std::string& error) {
    const std::int64_t id = storage::ensure_job(db_, key, "train", "{}", 0);
    storage::mark_job_running(db_, id, "worker-1", 1000);
    storage::record_job_failure(db_, id, error, 1, 1001);
    job_ids_.push_back(id);
    points_.push_back(kPoint);
  }

  SweepResults load() { return load_sweep_results(db_, select_sweep(db_, "paper")); }

  const ResultGroup& group(const SweepResults& results, const std::string& experiment) {
    for (const ResultGroup& g : results.groups) {
      if (g.experiment == experiment) return g;
    }
    throw std::runtime_error("no group " + experiment);
  }

  storage::Database db_ = storage::Database::open_in_memory();
  std::int64_t sweep_id_ = 0;
  std::vector<std::int64_t> job_ids_;
  std::vector<std::string> points_;
};

TEST_F(SweepResultsTest, GroupsByPointExperimentAndClassesInPaperOrder) {
  const SweepResults results = load();
  ASSERT_EQ(results.groups.size(), 3u);
  EXPECT_EQ(results.groups[0].experiment, "image");
  EXPECT_EQ(results.groups[1].experiment, "cnn_rnn");
  EXPECT_EQ(results.groups[2].experiment, "image_to_video");
  for (const ResultGroup& g : results.groups) {
    EXPECT_EQ(g.point, kPoint);
    EXPECT_EQ(g.classes, 2);
    EXPECT_EQ(g.folds, 2);
  }
}

TEST_F(SweepResultsTest, M19MeanAndPopulationStdOverRunsAtBestAndLastEpoch) {
  const SweepResults results = load();
  const ResultGroup& cnn_rnn = group(results, "cnn_rnn");
  ASSERT_EQ(cnn_rnn.best.runs.size(), 2u);
  EXPECT_DOUBLE_EQ(cnn_rnn.best.runs[0].accuracy, 0.75);
  EXPECT_DOUBLE_EQ(cnn_rnn.best.runs[1].accuracy, 1.0);
  EXPECT_DOUBLE_EQ(cnn_rnn.best.accuracy.mean, 0.875);
  EXPECT_DOUBLE_EQ(cnn_rnn.best.accuracy.std, 0.125);
  EXPECT_DOUBLE_EQ(cnn_rnn.last.accuracy.mean, 0.5);
  EXPECT_DOUBLE_EQ(cnn_rnn.last.accuracy.std, 0.0);
  ASSERT_TRUE(cnn_rnn.best.majority_baseline.has_value());
  EXPECT_DOUBLE_EQ(cnn_rnn.best.majority_baseline->mean, 0.5);
  EXPECT_FALSE(cnn_rnn.best.top_k_accuracy.has_value());  // top-2 of 2 classes says nothing

  const ResultGroup& image_to_video = group(results, "image_to_video");
  EXPECT_DOUBLE_EQ(image_to_video.best.accuracy.mean, 0.625);
  EXPECT_DOUBLE_EQ(image_to_video.best.accuracy.std, 0.125);

  const ResultGroup& image = group(results, "image");
  EXPECT_DOUBLE_EQ(image.best.accuracy.mean, 1.0);
  EXPECT_FALSE(image.best.majority_baseline.has_value());  // majority class unknown
}

TEST_F(SweepResultsTest, RowNormalisedConfusionMeanAndStdOverRuns) {
  // Run 0: class 0 -> [1 right, 1 wrong] = [0.5, 0.5], class 1 -> [0, 1]; run 1 all right.
  const SweepResults results = load();
  const ResultGroup& cnn_rnn = group(results, "cnn_rnn");
  ASSERT_EQ(cnn_rnn.best.confusion.size(), 4u);
  EXPECT_DOUBLE_EQ(cnn_rnn.best.confusion[0].mean, 0.75);
  EXPECT_DOUBLE_EQ(cnn_rnn.best.confusion[0].std, 0.25);
  EXPECT_DOUBLE_EQ(cnn_rnn.best.confusion[1].mean, 0.25);
  EXPECT_DOUBLE_EQ(cnn_rnn.best.confusion[2].mean, 0.0);
  EXPECT_DOUBLE_EQ(cnn_rnn.best.confusion[3].mean, 1.0);
}

TEST_F(SweepResultsTest, LearningCurveAveragesTheJobsThatReachedEachEpoch) {
  const SweepResults results = load();
  const ResultGroup& cnn_rnn = group(results, "cnn_rnn");
  ASSERT_EQ(cnn_rnn.learning_curve.size(), 2u);
  // Epoch 1, four jobs: validation accuracy 0.5, 0.5, 1.0, 1.0.
  EXPECT_EQ(cnn_rnn.learning_curve[0].jobs, 4);
  EXPECT_DOUBLE_EQ(cnn_rnn.learning_curve[0].val_accuracy.mean, 0.75);
  EXPECT_DOUBLE_EQ(cnn_rnn.learning_curve[0].val_accuracy.std, 0.25);
  EXPECT_NEAR(cnn_rnn.learning_curve[0].train_loss.mean, 0.7, 1e-12);
  // Epoch 2, two jobs (the others stopped early): 0.6 and 0.8.
  EXPECT_EQ(cnn_rnn.learning_curve[1].jobs, 2);
  EXPECT_NEAR(cnn_rnn.learning_curve[1].val_accuracy.mean, 0.7, 1e-12);
  EXPECT_NEAR(cnn_rnn.learning_curve[1].val_accuracy.std, 0.1, 1e-12);
}

TEST_F(SweepResultsTest, M19PairsOnlyExperimentsValidatedOnTheSameVideoFolds) {
  // Per split (r0f0, r0f1, r1f0, r1f1), cnn_rnn - image_to_video: 0.5, 0, 0, 0.5.
  // Mean 0.25, sample variance 1/12; with test fraction 1/2 the variance is
  // scaled by 1/4 + 1 = 1.25: t = 0.25 / sqrt(1.25 / 12) = 0.7745967, 3 df,
  // two-sided p = 0.4950253 (closed form of Student's t cdf for 3 df).
  const SweepResults results = load();
  ASSERT_EQ(results.comparisons.size(), 1u);  // image has other media: not paired
  const ExperimentComparison& c = results.comparisons[0];
  EXPECT_EQ(c.first, "cnn_rnn");
  EXPECT_EQ(c.second, "image_to_video");
  EXPECT_EQ(c.classes, 2);
  EXPECT_EQ(c.splits, 4);
  EXPECT_EQ(c.split, "media");
  EXPECT_FALSE(c.sign_test.has_value());
  ASSERT_TRUE(c.t_test.has_value());
  EXPECT_DOUBLE_EQ(c.mean_difference, 0.25);
  EXPECT_DOUBLE_EQ(c.t_test->mean_difference, 0.25);
  EXPECT_NEAR(c.t_test->t_statistic.value(), 0.7745966692414834, 1e-9);
  EXPECT_DOUBLE_EQ(c.t_test->degrees_of_freedom, 3.0);
  EXPECT_NEAR(c.t_test->p_value.value(), 0.4950253460597, 1e-6);
}

// Issue 17: forward-chaining folds are not random resamples, so under
// train.split time the corrected resampled t-test is never reported; the
// exact sign test over items is. Two repeats of folds 1 and 2 (block 0 is
// never validated), validating media 1-3 and 4-5:
//   cnn_rnn right on      r0: 1 2 3 4 5   r1: 1 2 3 4 -
//   image_to_video right  r0: 1 - - - 5   r1: 1 - 3 - -
// Per item, cnn_rnn's hits minus image_to_video's: 1: 0, 2: +2, 3: +1,
// 4: +2, 5: 0 -> 3 items cnn_rnn better, 0 worse, 2 tied; two-sided exact
// p = 2 / 2^3 = 0.25. Accuracy difference over the 10 predictions: (9 - 4) / 10.
TEST(PairedComparisonsUnderTime, ExactSignTestOverItemsNeverTheTTest) {
  storage::Database db = storage::Database::open_in_memory();
  const std::int64_t sweep = storage::upsert_sweep(db, {0, "chain", "", "h", 1, 1, 1, ""});
  std::vector<std::int64_t> ids;
  auto add = [&](const std::string& experiment, int repeat, int fold, const std::vector<std::int64_t>& media,
                 const std::vector<int>& right) {
    const nlohmann::json params{{"split", "time"}, {"experiment", experiment}, {"repeat", repeat}, {"fold", fold}};
    const std::int64_t id = storage::ensure_job(db, params.dump(), "train", params.dump(), 0);
    storage::TrainResultRow row;
    row.job_id = id;
    row.experiment = experiment;
    row.repeat = repeat;
    row.fold = fold;
    row.confusion_best = row.confusion_last = "[[0,0],[0,0]]";
    std::vector<storage::PredictionRow> predictions;
    for (std::size_t i = 0; i < media.size(); ++i) {
      const int predicted = right[i] ? 0 : 1;  // every item is class 0
      predictions.push_back({media[i], 0, predicted, predicted, probabilities_for(predicted), probabilities_for(predicted)});
    }
    storage::save_train_result(db, row, {}, predictions);
    storage::mark_job_done(db, id, 1.0, 1);
    ids.push_back(id);
  };
  add("cnn_rnn", 0, 1, {1, 2, 3}, {1, 1, 1});
  add("cnn_rnn", 0, 2, {4, 5}, {1, 1});
  add("cnn_rnn", 1, 1, {1, 2, 3}, {1, 1, 1});
  add("cnn_rnn", 1, 2, {4, 5}, {1, 0});
  add("image_to_video", 0, 1, {1, 2, 3}, {1, 0, 0});
  add("image_to_video", 0, 2, {4, 5}, {0, 1});
  add("image_to_video", 1, 1, {1, 2, 3}, {1, 0, 1});
  add("image_to_video", 1, 2, {4, 5}, {0, 0});
  storage::set_sweep_jobs(db, sweep, ids);
  const SweepResults results = load_sweep_results(db, select_sweep(db, "chain"));
  ASSERT_EQ(results.comparisons.size(), 1u);
  const ExperimentComparison& c = results.comparisons[0];
  EXPECT_EQ(c.split, "time");
  EXPECT_FALSE(c.t_test.has_value());
  ASSERT_TRUE(c.sign_test.has_value());
  EXPECT_EQ(c.sign_test->first_better, 3);
  EXPECT_EQ(c.sign_test->second_better, 0);
  EXPECT_EQ(c.sign_test->ties, 2);
  EXPECT_DOUBLE_EQ(c.sign_test->p_value, 0.25);
  EXPECT_EQ(c.items, 5);
  EXPECT_EQ(c.splits, 4);
  EXPECT_DOUBLE_EQ(c.mean_difference, 0.5);

  const TextTable table = comparisons_table(results);
  EXPECT_EQ(table.header.front(), "classes");  // nothing swept: no empty point column
  ASSERT_EQ(table.rows.size(), 1u);
  EXPECT_EQ(table.rows[0][3], "exact sign test over items");
  EXPECT_EQ(table.rows[0][6], "3 vs 0 items better (2 tied)");
  EXPECT_EQ(table.rows[0][7], "0.250");
  for (const std::vector<std::string>& row : table.rows) {
    for (const std::string& cell : row) EXPECT_EQ(cell.find("t-test"), std::string::npos);
  }
  const std::vector<std::string> notes = comparisons_notes(results);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("does not apply"), std::string::npos);
}

TEST_F(SweepResultsTest, ListsJobsThatAreNotDone) {
  const SweepResults results = load();
  ASSERT_EQ(results.unfinished_jobs.size(), 1u);
  EXPECT_EQ(results.unfinished_jobs[0].status, storage::JobStatus::Failed);
  EXPECT_EQ(results.unfinished_jobs[0].error, "CUDA <out> of memory & more");
}

// Every media item here is its own post. image is always right: its
// intervals are [1, 1]; in the permutation test each of its two 2-item folds
// keeps both right only unswapped, so the exact p is 1/4. cnn_rnn's last
// epoch always says class 0: shuffling labels within folds cannot change its
// accuracy (p = 1), and its bootstrap accuracy is the share of class 0 among
// 4 drawn items, 0 or 1 each with probability 1/16 > 2.5%: interval [0, 1].
TEST_F(SweepResultsTest, PaperTableHasMeanAndStdWithIntervalsPerClasses) {
  const std::vector<TextTable> tables = results_tables(load());
  ASSERT_EQ(tables.size(), 1u);
  const TextTable& table = tables[0];
  EXPECT_EQ(table.header,
            (std::vector<std::string>{"experiment", "2 classes best (selection-biased)", "2 classes last",
                                      "2 classes p (last vs chance)", "2 classes majority"}));
  ASSERT_EQ(table.rows.size(), 3u);
  EXPECT_EQ(table.rows[0][0], "image");
  EXPECT_EQ(table.rows[0][1], "1.000 ± 0.000 [1.000, 1.000]");
  EXPECT_EQ(table.rows[0][2], "1.000 ± 0.000 [1.000, 1.000]");
  const double image_p = std::stod(table.rows[0][3]);
  EXPECT_NEAR(image_p, 0.25, 0.05) << "1000 permutations estimate the exact 1/4";
  EXPECT_EQ(table.rows[0][4], "-");
  EXPECT_EQ(table.rows[1][0], "cnn_rnn");
  EXPECT_EQ(table.rows[1][1].rfind("0.875 ± 0.125 [", 0), 0u) << table.rows[1][1];
  EXPECT_EQ(table.rows[1][2], "0.500 ± 0.000 [0.000, 1.000]");
  EXPECT_EQ(table.rows[1][3], "1.000");
  EXPECT_EQ(table.rows[1][4], "0.500 ± 0.000 [0.000, 1.000]");
  EXPECT_EQ(table.rows[2][1].rfind("0.625 ± 0.125 [", 0), 0u) << table.rows[2][1];
  EXPECT_EQ(table.rows[2][2].rfind("0.625 ± 0.125 [", 0), 0u) << table.rows[2][2];
  EXPECT_NE(table.caption.find("labels.window_weeks=4"), std::string::npos);
  EXPECT_NE(table.caption.find("1000 resamples, seed 22"), std::string::npos) << table.caption;
  EXPECT_NE(table.caption.find("1000 permutations"), std::string::npos) << table.caption;
}

TEST_F(SweepResultsTest, CsvHasOneRowPerPointExperimentClassesAndMetric) {
  const std::string point = R"("{""labels.window_weeks"":4}")";
  // The M19 columns as before; then the interval, the selection-bias flag
  // and, on accuracy_last, the p-value.
  const std::vector<std::string> expected{
      "point,experiment,classes,metric,mean,std,runs,ci95_low,ci95_high,selection_biased,p_value_vs_chance",
      point + ",image,2,accuracy_best,1,0,1,1,1,true,",
      point + ",image,2,accuracy_last,1,0,1,1,1,false,",
      point + ",cnn_rnn,2,accuracy_best,0.875,0.125,2,",
      point + ",cnn_rnn,2,accuracy_last,0.5,0,2,0,1,false,1",
      point + ",cnn_rnn,2,majority_baseline,0.5,0,2,0,1,false,",
      point + ",image_to_video,2,accuracy_best,0.625,0.125,2,",
      point + ",image_to_video,2,accuracy_last,0.625,0.125,2,",
      point + ",image_to_video,2,majority_baseline,0.5,0,2,"};
  std::vector<std::string> lines;
  std::istringstream csv(results_csv(load()));
  for (std::string line; std::getline(csv, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), expected.size());
  for (std::size_t i = 0; i < lines.size(); ++i) EXPECT_EQ(lines[i].rfind(expected[i], 0), 0u) << lines[i];
  EXPECT_NE(lines[1].find(",true,"), std::string::npos);
  EXPECT_NE(lines[3].find(",true,"), std::string::npos);
  EXPECT_NEAR(std::stod(lines[2].substr(lines[2].rfind(',') + 1)), 0.25, 0.05);
}

TEST_F(SweepResultsTest, JsonHoldsGroupsComparisonsAndFailures) {
  const nlohmann::json json = results_json(load());
  EXPECT_EQ(json["sweep"]["name"], "paper");
  ASSERT_EQ(json["groups"].size(), 3u);
  EXPECT_EQ(json["groups"][1]["point"]["labels.window_weeks"], 4);
  EXPECT_DOUBLE_EQ(json["groups"][1]["best_epoch"]["accuracy"]["mean"].get<double>(), 0.875);
  EXPECT_EQ(json["comparisons"].size(), 1u);
  EXPECT_EQ(json["unfinished_jobs"][0]["status"], "failed");
}

TEST_F(SweepResultsTest, WritesSelfContainedEscapedHtmlAndMarkdown) {
  testing::TempDir out;
  const WrittenReport report = write_report(db_, "", out.file("report"));  // default: the latest sweep
  ASSERT_EQ(report.files.size(), 4u);
  EXPECT_FALSE(report.chart_files.empty());
  for (const std::string& file : report.files) EXPECT_TRUE(file_exists(file)) << file;
  const std::string html = read_text_file(out.file("report/report.html"));
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("</html>"), std::string::npos);
  EXPECT_NE(html.find("<td>0.875 ± 0.125 ["), std::string::npos);
  EXPECT_NE(html.find("<h2>Calibration</h2>"), std::string::npos);  // ECE, Brier and reliability diagrams
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("0.75±0.25"), std::string::npos);  // a confusion cell
  EXPECT_NE(html.find("CUDA &lt;out&gt; of memory &amp; more"), std::string::npos);
  EXPECT_EQ(html.find("<out>"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org/2000/svg"));  // only SVG's namespace
  const std::string markdown = read_text_file(out.file("report/report.md"));
  EXPECT_NE(markdown.find("| cnn_rnn | 0.875 ± 0.125 ["), std::string::npos);
  EXPECT_NE(markdown.find("| 0.500 ± 0.000 [0.000, 1.000] | 1.000 | 0.500 ± 0.000 [0.000, 1.000] |"),
            std::string::npos);
  EXPECT_NE(markdown.find("selection-biased"), std::string::npos);
  EXPECT_NE(markdown.find("## Calibration"), std::string::npos);
  EXPECT_NE(markdown.find("](charts/reliability_"), std::string::npos);
  EXPECT_NE(markdown.find("](charts/"), std::string::npos);
  EXPECT_NE(markdown.find("CUDA &lt;out&gt; of memory & more"), std::string::npos);
  EXPECT_NE(report.summary.find("0.625 ± 0.125"), std::string::npos);
}

TEST_F(SweepResultsTest, UnknownSweepIsConfigErrorNamingTheKnownSweeps) {
  try {
    select_sweep(db_, "nope");
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("'nope'"), std::string::npos);
    EXPECT_NE(message.find("'older'"), std::string::npos);
    EXPECT_NE(message.find("'paper'"), std::string::npos);
  }
}

TEST_F(SweepResultsTest, SweepIsFoundByNameIdOrMostRecentUpdate) {
  EXPECT_EQ(select_sweep(db_, "").name, "paper");
  EXPECT_EQ(select_sweep(db_, "older").name, "older");
  EXPECT_EQ(select_sweep(db_, std::to_string(sweep_id_)).name, "paper");
}

}  // namespace
}  // namespace popsweep::reports
