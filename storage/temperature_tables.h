// The temperature kept with a sweep point's models (migration "temperatures
// of kept models", train.calibration: temperature): one row per sweep, point,
// experiment and number of classes. Only reads and writes; the fit is
// worker/train/temperature_scaling.h, and when the coordinator stores it is
// orchestrator/point_temperatures.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace popsweep::storage {

class Database;

struct ModelTemperatureRow {
  std::int64_t sweep_id = 0;
  std::string point = "{}";  // JSON of the swept values, as sweep_jobs.point ("{}": nothing swept)
  std::string experiment;
  int classes = 0;
  double temperature = 1;
  int jobs = 0;                // the group's training jobs it was fitted on
  int items = 0;               // their best-epoch out-of-fold predictions
  std::int64_t fitted_at = 0;  // Unix seconds
};

// Replaces the row of the same sweep, point, experiment and classes.
void save_model_temperature(Database& db, const ModelTemperatureRow& row);
std::optional<ModelTemperatureRow> find_model_temperature(Database& db, std::int64_t sweep_id,
                                                          const std::string& point,
                                                          const std::string& experiment, int classes);
// Every row of a sweep, by point, experiment and classes.
std::vector<ModelTemperatureRow> load_model_temperatures(Database& db, std::int64_t sweep_id);

}  // namespace popsweep::storage
