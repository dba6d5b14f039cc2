// train.calibration: temperature, kept with the models. Once every training
// job of a (sweep point, experiment, K) group is done, the coordinator fits
// the one temperature `predict` applies to the mean of the group's kept
// models: on all of the group's best-epoch out-of-fold predictions (the kept
// models are the best-epoch ones, and a candidate is in none of these
// predictions), by least negative log-likelihood
// (worker/train/temperature_scaling.h). It is stored in model_temperatures
// (storage/temperature_tables.h), so predict reads it instead of refitting
// and `export` lists it. The report's tempered columns are a different fit
// per fold (reports/temperature_calibration.h) and are not stored.
#pragma once

#include <cstdint>
#include <set>
#include <string>

namespace popsweep::storage {
class Database;
}

namespace popsweep::orchestrator {

// Fits and stores the temperature of every complete group of the sweep whose
// point (the JSON of its swept values, as sweep_jobs.point) is in
// `calibrated_points`; a group with a training job not done yet is left for
// a later call, and one already stored from as many jobs is not refitted.
// Returns the number of temperatures written. `now`: Unix seconds.
int store_point_temperatures(storage::Database& db, std::int64_t sweep_id,
                             const std::set<std::string>& calibrated_points, std::int64_t now);

}  // namespace popsweep::orchestrator
