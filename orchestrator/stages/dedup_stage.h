// Near-duplicate cleaning (M7-M9) for one feature set, run by the
// coordinator once every extraction shard of that feature set is done.
#pragma once

#include <nlohmann/json.hpp>

#include "orchestrator/pipeline_handlers.h"
#include "worker/features/near_duplicate_search.h"

namespace popsweep::orchestrator {

// A dedup job's "dedup" parameters (job_graph's dedup_params) as the search's settings.
features::DedupSettings dedup_settings_from_params(const nlohmann::json& dedup);

// The search (features::find_near_duplicates, which writes nothing and may
// take minutes with verification, so no write lock is held meanwhile), then
// one transaction with the removals, every candidate pair's decision (kept
// or rejected, with the verification score and why: the `--pairs` file's
// rows) and the run's summary. Returns the search's report.
features::NearDuplicateReport clean_near_duplicates(storage::Database& db, std::int64_t feature_set_id,
                                                    const features::DedupSettings& settings);

class DedupStage : public CoordinatorStage {
 public:
  explicit DedupStage(storage::Database& db) : db_(db) {}
  void run_on_coordinator(const storage::JobRow& job) override;

 private:
  storage::Database& db_;
};

}  // namespace popsweep::orchestrator
