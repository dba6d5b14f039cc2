// Near-duplicate cleaning (M7-M9) for one feature set, run by the
// coordinator once every extraction shard of that feature set is done.
#pragma once

#include <nlohmann/json.hpp>

#include "orchestrator/pipeline_handlers.h"
#include "worker/features/near_duplicate_search.h"

namespace popsweep::orchestrator {

// A dedup job's "dedup" parameters (job_graph's dedup_params) as the search's settings.
features::DedupSettings dedup_settings_from_params(const nlohmann::json& dedup);

class DedupStage : public CoordinatorStage {
 public:
  explicit DedupStage(storage::Database& db) : db_(db) {}
  void run_on_coordinator(const storage::JobRow& job) override;

 private:
  storage::Database& db_;
};

}  // namespace popsweep::orchestrator
