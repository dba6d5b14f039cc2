// Every stage a worker can run, in one place.
#include <ATen/Parallel.h>

#include "orchestrator/stage_executor.h"
#include "orchestrator/stages/extract_job.h"
#include "orchestrator/stages/noop_stage.h"
#include "orchestrator/stages/train_job.h"

namespace popsweep::orchestrator {

std::unique_ptr<StageExecutor> make_worker_executor(const WorkerEnvironment& environment) {
  // LibTorch's thread count is process-wide: set once, before any job, so
  // every job of this worker computes with the same count (determinism).
  if (environment.threads > 0) at::set_num_threads(environment.threads);
  auto executor = std::make_unique<StageExecutor>(environment);
  executor->add_stage("noop", run_noop_job);
  const std::shared_ptr<BackboneCache> backbones = make_backbone_cache();
  executor->add_stage("extract", make_extract_job(backbones));
  executor->add_stage("train", make_train_job(backbones));
  return executor;
}

}  // namespace popsweep::orchestrator
