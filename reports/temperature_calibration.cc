#include "reports/temperature_calibration.h"

#include <nlohmann/json.hpp>

#include "reports/sweep_results.h"
#include "worker/train/temperature_scaling.h"

namespace popsweep::reports {
namespace {

constexpr const char* kCalibrationKey = "train.calibration";

using Epoch = train::JobPredictions TrainedJob::*;

// The out-of-fold predictions of `jobs` except those of `skip` (all when
// skip is null) in repeat `repeat` (all repeats when negative), pooled.
std::pair<train::ClassProbabilities, std::vector<int>> pooled(const std::vector<TrainedJob>& jobs,
                                                              Epoch epoch, const TrainedJob* skip,
                                                              int repeat) {
  train::ClassProbabilities probabilities{(jobs.front().*epoch).probabilities.classes, {}};
  std::vector<int> truth;
  for (const TrainedJob& job : jobs) {
    if (&job == skip || (repeat >= 0 && job.result.repeat != repeat)) continue;
    const train::JobPredictions& predictions = job.*epoch;
    probabilities.values.insert(probabilities.values.end(), predictions.probabilities.values.begin(),
                                predictions.probabilities.values.end());
    truth.insert(truth.end(), predictions.true_classes.begin(), predictions.true_classes.end());
  }
  return {std::move(probabilities), std::move(truth)};
}

// Each job tempered by the fit on its repeat's other folds.
std::vector<train::JobPredictions> tempered(const std::vector<TrainedJob>& jobs, Epoch epoch,
                                            std::vector<double>& temperatures) {
  std::vector<train::JobPredictions> result;
  for (const TrainedJob& job : jobs) {
    const auto [probabilities, truth] = pooled(jobs, epoch, &job, job.result.repeat);
    const double temperature = train::fit_temperature(probabilities, truth);
    temperatures.push_back(temperature);
    train::JobPredictions predictions = job.*epoch;
    predictions.probabilities = train::apply_temperature(predictions.probabilities, temperature);
    result.push_back(std::move(predictions));
  }
  return result;
}

std::vector<const train::JobPredictions*> pointers(const std::vector<train::JobPredictions>& jobs) {
  std::vector<const train::JobPredictions*> result;
  for (const train::JobPredictions& job : jobs) result.push_back(&job);
  return result;
}

}  // namespace

std::optional<TemperedCalibration> temper_out_of_fold(const ResultGroup& group) {
  if (group.jobs.empty()) return std::nullopt;
  std::map<int, int> folds_per_repeat;
  for (const TrainedJob& job : group.jobs) ++folds_per_repeat[job.result.repeat];
  for (const auto& entry : folds_per_repeat) {
    if (entry.second < 2) return std::nullopt;
  }
  TemperedCalibration result;
  const std::vector<train::JobPredictions> best =
      tempered(group.jobs, &TrainedJob::best, result.temperatures_best);
  const std::vector<train::JobPredictions> last =
      tempered(group.jobs, &TrainedJob::last, result.temperatures_last);
  result.best = calibration_of(pointers(best));
  result.last = calibration_of(pointers(last));
  result.accuracy_best = train::aggregate_runs(best).accuracy;
  result.accuracy_last = train::aggregate_runs(last).accuracy;
  return result;
}

double ensemble_temperature(const ResultGroup& group) {
  const auto [probabilities, truth] = pooled(group.jobs, &TrainedJob::best, nullptr, -1);
  return train::fit_temperature(probabilities, truth);
}

std::string calibration_setting(const storage::SweepRow& sweep, const std::string& point) {
  for (const std::string& text : {point, sweep.spec_text}) {
    const nlohmann::json parsed = nlohmann::json::parse(text, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) continue;
    if (parsed.contains(kCalibrationKey) && parsed[kCalibrationKey].is_string()) {
      return parsed[kCalibrationKey].get<std::string>();
    }
    const auto points = parsed.find("points");
    if (points == parsed.end() || !points->is_array()) continue;
    for (const nlohmann::json& entry : *points) {
      if (entry.is_object() && entry.contains(kCalibrationKey) && entry[kCalibrationKey].is_string()) {
        return entry[kCalibrationKey].get<std::string>();
      }
    }
  }
  return "none";
}

}  // namespace popsweep::reports
