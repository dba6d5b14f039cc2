// Dedup's rule for the leakage audit, applied by the dedup stage's own search
// (features::find_near_duplicates, which orchestrator::clean_near_duplicates
// runs before writing), so whatever that rule matches (images, videos by thumbnail and
// timing, images against video thumbnails, and whatever it learns to match
// later) is what the audit counts. It only reads the database.
#pragma once

#include "reports/leakage_audit.h"

namespace popsweep::reports {

// `db` must outlive the returned function.
DuplicateRule dedup_stage_rule(storage::Database& db);

}  // namespace popsweep::reports
