// The temperature the coordinator keeps with a point's models (issue 22):
// fitted once every training job of a calibrated (point, experiment, K)
// group is done, on the group's best-epoch out-of-fold predictions, and
// stored in model_temperatures. Planted truth: a model three times too sure
// of itself (its probabilities are the true ones raised to the power 3 and
// renormalised); the stored T must be the least-NLL T found here by a plain
// grid search (to 1e-6) (a different method from the golden-section search of
// worker/train/temperature_scaling), and near 3.
#include "orchestrator/point_temperatures.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>

#include "storage/database.h"
#include "storage/job_tables.h"
#include "storage/result_tables.h"
#include "storage/temperature_tables.h"

namespace popsweep::orchestrator {
namespace {

constexpr const char* kCalibrated = R"({"train.lr":"0.001"})";
constexpr const char* kOtherCalibrated = R"({"train.lr":"0.01"})";
constexpr const char* kUncalibrated = R"({"train.lr":"0.1"})";

struct Planted {
  std::vector<double> probabilities;  // best epoch, class 1, of every job of the calibrated group
  std::vector<int> truth;
};

// One done training job of `point` with 400 overconfident predictions.
std::int64_t plant_job(storage::Database& db, const std::string& name, int fold, std::mt19937_64& rng,
                       Planted* planted) {
  const std::int64_t id =
      storage::ensure_job(db, name, "train", R"({"experiment":"image","classes":2})", fold);
  std::uniform_real_distribution<double> unit(0, 1);
  std::vector<storage::PredictionRow> predictions;
  for (int i = 0; i < 400; ++i) {
    const double q = 0.05 + 0.9 * unit(rng);  // the true probability of class 1
    const int truth = unit(rng) < q ? 1 : 0;
    const double a = std::pow(1 - q, 3.0), b = std::pow(q, 3.0);
    const float p1 = static_cast<float>(b / (a + b));
    storage::PredictionRow row{fold * 1000 + i, truth, p1 > 0.5f, p1 > 0.5f, {1 - p1, p1}, {1 - p1, p1}};
    predictions.push_back(row);
    if (planted) planted->probabilities.push_back(p1), planted->truth.push_back(truth);
  }
  storage::TrainResultRow result;
  result.job_id = id;
  result.experiment = "image";
  result.classes = 2;
  result.fold = fold;
  result.confusion_best = result.confusion_last = "[]";
  storage::save_train_result(db, result, {}, predictions);
  storage::mark_job_done(db, id, 1.0, 100);
  return id;
}

double negative_log_likelihood(const std::vector<double>& p1, const std::vector<int>& truth, double t) {
  double loss = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const double a = std::log(1 - p1[i]) / t, b = std::log(p1[i]) / t;
    const double largest = std::max(a, b);
    loss -= (truth[i] ? b : a) - (largest + std::log(std::exp(a - largest) + std::exp(b - largest)));
  }
  return loss;
}

// The least NLL of softmax(log p / T): a grid over [0.05, 20] in steps of
// 0.001, then one of 1e-6 around its best point.
double grid_temperature(const std::vector<double>& p1, const std::vector<int>& truth) {
  double best = 0, best_loss = INFINITY;
  for (int step = 50; step <= 20000; ++step) {
    const double loss = negative_log_likelihood(p1, truth, step * 1e-3);
    if (loss < best_loss) best_loss = loss, best = step * 1e-3;
  }
  const double coarse = best;
  for (int step = -1000; step <= 1000; ++step) {
    const double t = coarse + step * 1e-6, loss = negative_log_likelihood(p1, truth, t);
    if (loss < best_loss) best_loss = loss, best = t;
  }
  return best;
}

TEST(PointTemperaturesTest, StoresTheLeastNllTemperatureOfEachFinishedCalibratedGroup) {
  storage::Database db = storage::Database::open_in_memory();
  storage::SweepRow sweep;
  sweep.name = "s";
  sweep.spec_text = "{}";
  sweep.result_hash = "h";
  const std::int64_t sweep_id = storage::upsert_sweep(db, sweep);
  std::mt19937_64 rng(22);
  Planted planted;
  std::vector<std::int64_t> ids{
      plant_job(db, "a0", 0, rng, &planted),
      plant_job(db, "a1", 1, rng, &planted),
      plant_job(db, "b0", 0, rng, nullptr),
      storage::ensure_job(db, "b1", "train", R"({"experiment":"image","classes":2})", 1),
      plant_job(db, "c0", 0, rng, nullptr),
      plant_job(db, "c1", 1, rng, nullptr)};
  storage::set_sweep_jobs(
      db, sweep_id, ids,
      {kCalibrated, kCalibrated, kOtherCalibrated, kOtherCalibrated, kUncalibrated, kUncalibrated});

  // b1 is not done: its group waits; the uncalibrated point gets nothing.
  EXPECT_EQ(store_point_temperatures(db, sweep_id, {kCalibrated, kOtherCalibrated}, 1000), 1);
  const std::optional<storage::ModelTemperatureRow> stored =
      storage::find_model_temperature(db, sweep_id, kCalibrated, "image", 2);
  ASSERT_TRUE(stored);
  const double expected = grid_temperature(planted.probabilities, planted.truth);
  std::printf("planted T = 3: stored T %.6f from %d items of %d jobs, grid search %.6f\n",
              stored->temperature, stored->items, stored->jobs, expected);
  EXPECT_NEAR(stored->temperature, expected, 2e-6);
  EXPECT_NEAR(stored->temperature, 3.0, 0.3);
  EXPECT_EQ(stored->items, 800);
  EXPECT_EQ(stored->jobs, 2);
  EXPECT_EQ(stored->fitted_at, 1000);
  EXPECT_FALSE(storage::find_model_temperature(db, sweep_id, kOtherCalibrated, "image", 2));
  EXPECT_FALSE(storage::find_model_temperature(db, sweep_id, kUncalibrated, "image", 2));

  // Nothing new: nothing refitted. Once b1 is done, its group is stored.
  EXPECT_EQ(store_point_temperatures(db, sweep_id, {kCalibrated, kOtherCalibrated}, 2000), 0);
  EXPECT_EQ(storage::find_model_temperature(db, sweep_id, kCalibrated, "image", 2)->fitted_at, 1000);
  plant_job(db, "b1", 1, rng, nullptr);
  EXPECT_EQ(store_point_temperatures(db, sweep_id, {kCalibrated, kOtherCalibrated}, 3000), 1);
  EXPECT_EQ(storage::load_model_temperatures(db, sweep_id).size(), 2u);
}

TEST(PointTemperaturesTest, NoCalibratedPointNoWork) {
  storage::Database db = storage::Database::open_in_memory();
  EXPECT_EQ(store_point_temperatures(db, 1, {}, 0), 0);
}

}  // namespace
}  // namespace popsweep::orchestrator
