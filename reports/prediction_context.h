// What `popsweep predict` must say beside its probabilities, so a user can
// tell whether to act on them: the sweep point the models come from, the
// date of the newest post they learned from, whether their labels were
// centred (a class that looks at posts after the candidate's time, which no
// future post has yet), whether the profile's history is stale (its last
// post older than the label window), and the temperature the probabilities
// are tempered with when the sweep asked for train.calibration: temperature.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace popsweep::storage {
class Database;
}

namespace popsweep::reports {

struct KeptModels;
struct ScoredCandidate;

constexpr const char* kStoredTemperature = "stored";
constexpr const char* kRefittedTemperature = "refitted";

struct PredictionContext {
  std::string point;                                 // JSON of the swept values
  std::optional<std::int64_t> newest_training_post;  // Unix seconds; nullopt when no job recorded its items
  std::optional<std::int64_t> last_profile_post;
  std::string label_mode;   // centered, trailing or global
  double window_weeks = 0;  // the label window
  std::optional<double> temperature;
  // Where the temperature comes from: kStoredTemperature (the coordinator
  // stored it with the models) or kRefittedTemperature (a database from
  // before model_temperatures, or a point not finished when the sweep
  // stopped: fitted again here on the same predictions).
  std::string temperature_source;
  std::vector<std::string> warnings;
};

// The facts, and the warnings they call for. `now`: Unix seconds.
PredictionContext prediction_context(storage::Database& db, const std::string& sweep,
                                     const KeptModels& models, std::int64_t now);

// The warnings alone, from the facts (unit-testable without a database).
std::vector<std::string> prediction_warnings(const PredictionContext& context, std::int64_t now);

// Lines for stderr: "predict: ...", then "WARNING: ..." per warning.
std::string describe_prediction_context(const PredictionContext& context);

// Tempers each candidate's mean probabilities (softmax(log p / T)) and ranks
// them again; a no-op without a temperature.
void apply_prediction_temperature(std::vector<ScoredCandidate>& scored, const PredictionContext& context);

}  // namespace popsweep::reports
