// train.calibration: temperature on planted truth (issue 22): five folds of
// out-of-fold predictions from a model three times too sure of itself (its
// logits are the true log-odds x 3, so the planted temperature is 3). Each
// fold's temperature is fitted on the other four folds only; tempered, the
// expected calibration error falls to at most 0.05 and the accuracy moves by
// at most 0.005 (tempering keeps each item's most probable class).
#include "reports/temperature_calibration.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>

#include "reports/sweep_results.h"

namespace popsweep::reports {
namespace {

ResultGroup overconfident_group(std::uint64_t seed, double sharpening) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  ResultGroup group;
  group.experiment = "image";
  group.classes = 2;
  std::vector<train::JobPredictions> best;
  for (int fold = 0; fold < 5; ++fold) {
    TrainedJob job;
    job.result.job_id = fold + 1;
    job.result.fold = fold;
    job.best.fold = fold;
    job.best.training_majority_class = 0;
    job.best.probabilities.classes = 2;
    for (int i = 0; i < 800; ++i) {
      const double q = 0.05 + 0.9 * unit(rng);  // the true probability of class 1
      job.best.true_classes.push_back(unit(rng) < q ? 1 : 0);
      const double a = std::pow(1 - q, sharpening), b = std::pow(q, sharpening);
      job.best.probabilities.values.insert(job.best.probabilities.values.end(), {a / (a + b), b / (a + b)});
      job.predicted_media.push_back(fold * 1000 + i);
    }
    job.last = job.best;
    best.push_back(job.best);
    group.jobs.push_back(std::move(job));
  }
  group.best = train::aggregate_runs(best);
  group.last = group.best;
  std::vector<const train::JobPredictions*> pointers;
  for (const TrainedJob& job : group.jobs) pointers.push_back(&job.last);
  group.calibration_last = calibration_of(pointers);
  return group;
}

TEST(TemperatureCalibrationTest, OverconfidentFoldsAreTemperedOnTheOtherFoldsOnly) {
  const ResultGroup group = overconfident_group(3, 3.0);
  const std::optional<TemperedCalibration> tempered = temper_out_of_fold(group);
  ASSERT_TRUE(tempered);
  const double change = tempered->accuracy_last.mean - group.last.accuracy.mean;
  std::printf(
      "planted T = 3: fitted T per fold %.3f %.3f %.3f %.3f %.3f; ECE %.3f -> %.3f, Brier %.3f -> %.3f, "
      "accuracy change %+.4f\n",
      tempered->temperatures_last[0], tempered->temperatures_last[1], tempered->temperatures_last[2],
      tempered->temperatures_last[3], tempered->temperatures_last[4],
      group.calibration_last.expected_calibration_error, tempered->last.expected_calibration_error,
      group.calibration_last.brier, tempered->last.brier, change);
  EXPECT_GT(group.calibration_last.expected_calibration_error, 0.1);
  EXPECT_LE(tempered->last.expected_calibration_error, 0.05);
  EXPECT_LE(std::abs(change), 0.005);
  EXPECT_LT(tempered->last.brier, group.calibration_last.brier);
  for (const double t : tempered->temperatures_last) EXPECT_NEAR(t, 3.0, 0.6);
}

// The fold scored never enters its own temperature: replacing fold 0's
// labels leaves fold 0's temperature as it was, and moves the others'.
TEST(TemperatureCalibrationTest, AFoldsOwnLabelsDoNotMoveItsTemperature) {
  ResultGroup group = overconfident_group(4, 3.0);
  const TemperedCalibration before = *temper_out_of_fold(group);
  for (int& truth : group.jobs[0].last.true_classes) truth = 1 - truth;
  const TemperedCalibration after = *temper_out_of_fold(group);
  EXPECT_EQ(before.temperatures_last[0], after.temperatures_last[0]);
  EXPECT_NE(before.temperatures_last[1], after.temperatures_last[1]);
}

TEST(TemperatureCalibrationTest, OneFoldHasNothingToFitOn) {
  ResultGroup group = overconfident_group(5, 3.0);
  group.jobs.resize(1);
  EXPECT_FALSE(temper_out_of_fold(group));
}

TEST(TemperatureCalibrationTest, TheSettingComesFromThePointElseTheSweep) {
  storage::SweepRow sweep;
  sweep.spec_text = R"({"points":[{"train.calibration":"temperature","train.epochs":"3"}]})";
  EXPECT_EQ(calibration_setting(sweep, "{}"), "temperature");
  EXPECT_EQ(calibration_setting(sweep, R"({"train.calibration":"none"})"), "none");
  sweep.spec_text = R"({"points":[{"train.epochs":"3"}]})";
  EXPECT_EQ(calibration_setting(sweep, "{}"), "none");
}

}  // namespace
}  // namespace popsweep::reports
