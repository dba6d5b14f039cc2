#include "orchestrator/stages/label_stage.h"

#include <nlohmann/json.hpp>

#include "common/fault_points.h"
#include "worker/data/labeler.h"

namespace popsweep::orchestrator {

void LabelStage::run_on_coordinator(const storage::JobRow& job) {
  const nlohmann::json params = nlohmann::json::parse(job.params);
  data::LabelSettings settings;
  settings.classes.classes = params.at("classes").get<int>();
  settings.classes.window_weeks = params.at("window_weeks").get<double>();
  settings.classes.mode = data::parse_window_mode(params.at("mode").get<std::string>());
  settings.follower_fit_points = params.at("follower_fit_points").get<int>();
  if (settings.classes.mode == data::WindowMode::Global) settings.classes.window_weeks = 8;  // unused
  data::label_profile(db_, settings);
  fault_point("label.after_commit");
}

}  // namespace popsweep::orchestrator
