// Near-duplicate cleaning (M7-M9) for one feature set, run by the
// coordinator once every extraction shard of that feature set is done.
#pragma once

#include "orchestrator/pipeline_handlers.h"

namespace popsweep::orchestrator {

class DedupStage : public CoordinatorStage {
 public:
  explicit DedupStage(storage::Database& db) : db_(db) {}
  void run_on_coordinator(const storage::JobRow& job) override;

 private:
  storage::Database& db_;
};

}  // namespace popsweep::orchestrator
