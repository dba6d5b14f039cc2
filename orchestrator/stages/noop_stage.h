// A job that does nothing: it measures what the coordinator, the transport
// and the database cost per job (bench/dispatch), with no work to hide it.
#pragma once

#include "orchestrator/pipeline_handlers.h"
#include "orchestrator/stage_executor.h"

namespace popsweep::orchestrator {

class NoopStage : public CoordinatorStage {
 public:
  RemoteDispatch prepare_remote(const storage::JobRow& job) override;
};

Message run_noop_job(const Message& job, const DatasetCache&, const WorkerEnvironment&,
                     const std::function<bool()>& should_stop, const Emitter& emit);

}  // namespace popsweep::orchestrator
