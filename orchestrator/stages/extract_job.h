// The worker's side of feature extraction: embeds the media the coordinator
// listed (ExtractStage::prepare_remote) and streams them back as "partial"
// messages in record_extracted's layout, a batch at a time, so the
// coordinator commits them as they come and a lost worker costs at most one
// batch. The backbone is loaded once per worker and kept for later jobs.
#pragma once

#include "orchestrator/stage_executor.h"

namespace popsweep::orchestrator {

class BackboneCache;

StageFunction make_extract_job(std::shared_ptr<BackboneCache> cache);
std::shared_ptr<BackboneCache> make_backbone_cache();

}  // namespace popsweep::orchestrator
