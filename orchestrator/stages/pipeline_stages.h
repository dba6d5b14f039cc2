// Registers every coordinator-side stage of the popsweep pipeline with the
// handlers a sweep runs with.
#pragma once

#include <vector>

#include "orchestrator/job_graph.h"
#include "orchestrator/pipeline_handlers.h"
#include "orchestrator/spec.h"

namespace popsweep::orchestrator {

void register_pipeline_stages(PipelineHandlers& handlers, storage::Database& db, const std::vector<Spec>& points,
                              const GraphInputs& inputs);

}  // namespace popsweep::orchestrator
