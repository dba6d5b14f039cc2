#include "orchestrator/stages/dedup_stage.h"

#include <nlohmann/json.hpp>

#include "storage/database.h"
#include "storage/feature_tables.h"
#include "worker/features/feature_set_key.h"
#include "worker/features/near_duplicate_search.h"

namespace popsweep::orchestrator {

features::DedupSettings dedup_settings_from_params(const nlohmann::json& dedup) {
  features::DedupSettings settings;
  if (dedup.at("threshold").is_number()) settings.threshold = dedup.at("threshold").get<double>();
  if (dedup.contains("verify")) {
    const nlohmann::json& verify = dedup.at("verify");
    settings.verify = true;
    settings.verification.allow_mirror = verify.at("mirror").get<bool>();
    settings.verification.max_block_difference = verify.at("max_block_difference").get<double>();
    settings.candidate_factor = verify.at("candidate_factor").get<double>();
  }
  return settings;
}

void DedupStage::run_on_coordinator(const storage::JobRow& job) {
  const nlohmann::json params = nlohmann::json::parse(job.params);
  const std::int64_t set_id =
      storage::ensure_feature_set(db_, features::feature_set_key(params.at("features")));
  const nlohmann::json& dedup = params.at("dedup");
  if (!dedup.at("enabled").get<bool>()) {
    storage::Transaction transaction(db_);
    storage::replace_duplicates(db_, set_id, {});
    storage::save_dedup_run(db_, {set_id, std::nullopt, false, "near-duplicate removal disabled", 0, 0, 0});
    transaction.commit();
    return;
  }
  features::remove_near_duplicates(db_, set_id, dedup_settings_from_params(dedup));
}

}  // namespace popsweep::orchestrator
