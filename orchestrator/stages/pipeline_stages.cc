#include "orchestrator/stages/pipeline_stages.h"

#include "orchestrator/job_graph.h"
#include "orchestrator/stages/dedup_stage.h"
#include "orchestrator/stages/extract_stage.h"
#include "orchestrator/stages/label_stage.h"
#include "orchestrator/stages/noop_stage.h"
#include "orchestrator/stages/train_stage.h"

namespace popsweep::orchestrator {

void register_pipeline_stages(PipelineHandlers& handlers, storage::Database& db, const std::vector<Spec>& points,
                              const GraphInputs& inputs) {
  ExtractionOptions extraction;
  for (const Spec& point : points) {
    extraction.weights_path[feature_set_params(point, inputs).dump()] = point.features.weights;
    extraction.batch = point.features.batch;
  }
  handlers.add_stage("label", std::make_unique<LabelStage>(db));
  const std::map<std::string, std::string> weights_path = extraction.weights_path;
  handlers.add_stage("extract", std::make_unique<ExtractStage>(db, std::move(extraction)));
  handlers.add_stage("dedup", std::make_unique<DedupStage>(db));
  handlers.add_stage("train", std::make_unique<TrainStage>(
                                  db, handlers, weights_path, points.front().run.checkpoint_minutes,
                                  points.front().run.ranks_per_job, points.front().run.collective_backend));
  handlers.add_stage("noop", std::make_unique<NoopStage>());
}

}  // namespace popsweep::orchestrator
