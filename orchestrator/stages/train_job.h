// The worker's side of a training job (M14-M19): takes the dataset the
// coordinator sent (training_dataset.h), assembles the job's fold, trains
// the head, and answers in the layout TrainStage::record_result reads:
// history, scores, confusion matrices, one prediction per validation item,
// and attachments [best weights, best probabilities, last probabilities].
// Asked to stop, it ends at the next epoch boundary and answers
// "interrupted" with its resume state, which the coordinator stores and
// sends back with the job's next attempt. In `pixels` mode (M14 literally)
// the image rows are re-embedded every epoch from freshly augmented pixels.
#pragma once

#include "orchestrator/stage_executor.h"

namespace popsweep::orchestrator {

class BackboneCache;

// `backbones`: shared with extraction; used by `pixels`-mode jobs.
StageFunction make_train_job(std::shared_ptr<BackboneCache> backbones);

}  // namespace popsweep::orchestrator
