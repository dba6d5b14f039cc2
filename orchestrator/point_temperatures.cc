#include "orchestrator/point_temperatures.h"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>
#include <tuple>
#include <vector>

#include "common/error.h"
#include "storage/database.h"
#include "storage/job_tables.h"
#include "storage/result_tables.h"
#include "storage/temperature_tables.h"
#include "worker/train/temperature_scaling.h"

namespace popsweep::orchestrator {
namespace {

using GroupKey = std::tuple<std::string, std::string, int>;  // point, experiment, classes

std::string point_of(const std::map<std::int64_t, std::string>& points, std::int64_t job_id) {
  const auto found = points.find(job_id);
  return found == points.end() || found->second.empty() ? "{}" : found->second;
}

// The groups some of whose training jobs are not done: nothing to fit yet.
std::set<GroupKey> unfinished_groups(storage::Database& db, std::int64_t sweep_id,
                                     const std::map<std::int64_t, std::string>& points) {
  std::set<GroupKey> groups;
  for (const storage::JobRow& job : storage::load_sweep_jobs(db, sweep_id)) {
    if (job.stage != "train" || job.status == storage::JobStatus::Done) continue;
    const nlohmann::json params = nlohmann::json::parse(job.params, nullptr, false);
    if (!params.is_object()) continue;
    groups.emplace(point_of(points, job.id), params.value("experiment", ""), params.value("classes", 0));
  }
  return groups;
}

}  // namespace

int store_point_temperatures(storage::Database& db, std::int64_t sweep_id,
                             const std::set<std::string>& calibrated_points, std::int64_t now) {
  if (calibrated_points.empty()) return 0;
  const std::map<std::int64_t, std::string> points = storage::load_sweep_points(db, sweep_id);
  std::map<GroupKey, std::vector<storage::TrainResultRow>> groups;
  for (storage::TrainResultRow& result : storage::load_train_results(db, sweep_id)) {
    std::string point = point_of(points, result.job_id);
    if (calibrated_points.count(point) == 0) continue;
    groups[GroupKey{std::move(point), result.experiment, result.classes}].push_back(std::move(result));
  }
  const std::set<GroupKey> unfinished = unfinished_groups(db, sweep_id, points);
  storage::ResultReader reader(db);
  storage::Transaction transaction(db);
  int written = 0;
  for (const auto& [key, results] : groups) {
    const auto& [point, experiment, classes] = key;
    if (unfinished.count(key)) continue;
    const std::optional<storage::ModelTemperatureRow> stored =
        storage::find_model_temperature(db, sweep_id, point, experiment, classes);
    if (stored && stored->jobs == static_cast<int>(results.size())) continue;
    // Pooled in job order, as reports::ensemble_temperature pools them for a
    // database without a stored temperature, so both give the same T.
    train::ClassProbabilities pooled{classes, {}};
    std::vector<int> truth;
    for (const storage::TrainResultRow& result : results) {
      const storage::PredictionColumns predictions = reader.predictions(result.job_id, classes);
      if (predictions.wrong_count) {
        throw Error(fmt::format("job {}: media {} has {} probabilities for {} classes", result.job_id,
                                predictions.wrong_count->first, predictions.wrong_count->second, classes));
      }
      pooled.values.insert(pooled.values.end(), predictions.best.begin(), predictions.best.end());
      truth.insert(truth.end(), predictions.true_classes.begin(), predictions.true_classes.end());
    }
    if (truth.empty()) continue;
    storage::ModelTemperatureRow row;
    row.sweep_id = sweep_id;
    row.point = point;
    row.experiment = experiment;
    row.classes = classes;
    row.temperature = train::fit_temperature(pooled, truth);
    row.jobs = static_cast<int>(results.size());
    row.items = static_cast<int>(truth.size());
    row.fitted_at = now;
    storage::save_model_temperature(db, row);
    ++written;
  }
  transaction.commit();
  return written;
}

}  // namespace popsweep::orchestrator
