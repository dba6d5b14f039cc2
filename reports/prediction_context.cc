#include "reports/prediction_context.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "common/time_format.h"
#include "reports/candidate_scoring.h"
#include "reports/sweep_point_choice.h"
#include "reports/sweep_results.h"
#include "reports/sweep_selection.h"
#include "reports/temperature_calibration.h"
#include "reports/trained_models.h"
#include "storage/database.h"
#include "storage/job_tables.h"
#include "storage/profile_tables.h"
#include "storage/result_tables.h"
#include "storage/temperature_tables.h"
#include "worker/train/temperature_scaling.h"

namespace popsweep::reports {
namespace {

constexpr std::int64_t kSecondsPerWeek = 7 * 24 * 3600;

std::string same_point(const std::string& point) { return point.empty() ? "{}" : point; }

// The temperature stored with the point's models, else (a database from
// before model_temperatures) one fitted here on the same predictions.
void find_temperature(storage::Database& db, const storage::SweepRow& sweep, const KeptModels& models,
                      PredictionContext& context) {
  const std::string point = same_point(models.point);
  if (calibration_setting(sweep, point) != "temperature") return;
  if (const std::optional<storage::ModelTemperatureRow> stored =
          storage::find_model_temperature(db, sweep.id, point, models.experiment, models.classes)) {
    context.temperature = stored->temperature;
    context.temperature_source = kStoredTemperature;
    return;
  }
  const SweepResults results = load_sweep_results(db, sweep, 0);
  for (const ResultGroup& group : results.groups) {
    if (same_point(group.point) == point && group.experiment == models.experiment &&
        group.classes == models.classes) {
      context.temperature = ensemble_temperature(group);
      context.temperature_source = kRefittedTemperature;
      return;
    }
  }
}

}  // namespace

PredictionContext prediction_context(storage::Database& db, const std::string& sweep,
                                     const KeptModels& models, std::int64_t now) {
  PredictionContext context;
  context.point = models.point;
  std::map<std::int64_t, std::int64_t> posted_at;
  const bool has_profile = storage::find_profile(db).has_value();
  for (const storage::MediaOfPost& item :
       has_profile ? storage::load_media_of_posts(db, true) : std::vector<storage::MediaOfPost>{}) {
    posted_at[item.media_id] = item.posted_at;
    context.last_profile_post = std::max(context.last_profile_post.value_or(item.posted_at), item.posted_at);
  }
  for (const KeptModel& model : models.models) {
    const std::optional<storage::JobRow> job = storage::find_job(db, model.job_id);
    if (job) {
      const nlohmann::json params = nlohmann::json::parse(job->params, nullptr, false);
      if (params.is_object() && params.contains("labels") && params["labels"].is_object()) {
        context.label_mode = params["labels"].value("mode", "");
        context.window_weeks = params["labels"].value("window_weeks", 0.0);
      }
    }
    const std::optional<std::vector<std::int64_t>> trained_on =
        storage::load_training_media_ids(db, model.job_id);
    for (const std::int64_t media : trained_on.value_or(std::vector<std::int64_t>{})) {
      const auto found = posted_at.find(media);
      if (found == posted_at.end()) continue;
      context.newest_training_post =
          std::max(context.newest_training_post.value_or(found->second), found->second);
    }
  }
  find_temperature(db, select_sweep(db, sweep), models, context);
  context.warnings = prediction_warnings(context, now);
  return context;
}

std::vector<std::string> prediction_warnings(const PredictionContext& context, std::int64_t now) {
  std::vector<std::string> warnings;
  if (context.label_mode == "centered") {
    warnings.push_back(
        "the models were trained with centred labels (labels.mode: centered): a post's class compares it "
        "with "
        "posts published after it, which a candidate does not have yet; train with labels.mode: trailing "
        "for predictions");
  }
  // Global labels have no window; their classes do not age the same way.
  if (context.last_profile_post && context.label_mode != "global" && context.window_weeks > 0 &&
      now - *context.last_profile_post > static_cast<std::int64_t>(context.window_weeks * kSecondsPerWeek)) {
    warnings.push_back(fmt::format(
        "the profile's last post ({}) is {:.0f} weeks old, older than the label window of {} weeks: the "
        "classes describe the profile as it was, not as it is; ingest newer posts",
        format_iso8601(*context.last_profile_post),
        static_cast<double>(now - *context.last_profile_post) / kSecondsPerWeek, context.window_weeks));
  }
  return warnings;
}

std::string describe_prediction_context(const PredictionContext& context) {
  std::string text = "predict: sweep point " + point_arguments(context.point) + "\n";
  text +=
      "predict: newest post the models learned from: " +
      (context.newest_training_post ? format_iso8601(*context.newest_training_post)
                                    : std::string("unknown (the jobs did not record their training items)")) +
      "\n";
  if (!context.temperature) {
    text += "predict: probabilities as the models give them (train.calibration: none)\n";
  } else if (context.temperature_source == kStoredTemperature) {
    text += fmt::format(
        "predict: probabilities tempered with T = {:.6g} (train.calibration: temperature, stored with the "
        "models: fitted on their out-of-fold predictions)\n",
        *context.temperature);
  } else {
    text += fmt::format(
        "predict: probabilities tempered with T = {:.6g} (train.calibration: temperature; no temperature is "
        "stored with these models, from a database older than model_temperatures or a point the sweep did "
        "not finish: refitted on their out-of-fold predictions)\n",
        *context.temperature);
  }
  for (const std::string& warning : context.warnings) text += "WARNING: " + warning + "\n";
  return text;
}

void apply_prediction_temperature(std::vector<ScoredCandidate>& scored, const PredictionContext& context) {
  if (!context.temperature) return;
  for (ScoredCandidate& candidate : scored) {
    train::ClassProbabilities probabilities{static_cast<int>(candidate.probabilities.size()),
                                            candidate.probabilities};
    candidate.probabilities = train::apply_temperature(probabilities, *context.temperature).values;
    candidate.expected_class = 0;
    for (std::size_t k = 0; k < candidate.probabilities.size(); ++k) {
      candidate.expected_class += static_cast<double>(k) * candidate.probabilities[k];
    }
  }
  rank_candidates(scored);
}

}  // namespace popsweep::reports
