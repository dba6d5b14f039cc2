// Labels (M1-M5) for one label configuration, computed by the coordinator:
// a second or less, and it writes the database.
#pragma once

#include "orchestrator/pipeline_handlers.h"

namespace popsweep::orchestrator {

class LabelStage : public CoordinatorStage {
 public:
  explicit LabelStage(storage::Database& db) : db_(db) {}
  void run_on_coordinator(const storage::JobRow& job) override;

 private:
  storage::Database& db_;
};

}  // namespace popsweep::orchestrator
