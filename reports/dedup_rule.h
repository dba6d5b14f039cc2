// Dedup's rule for the leakage audit, applied by the dedup stage's own
// function (features::remove_near_duplicates), so whatever that rule matches
// (images, videos by thumbnail and timing, and whatever it learns to match
// later) is what the audit counts. That function writes its removals, and a
// report must leave the database alone (it may be read-only, or a sweep may
// be writing it), so the rule runs on a scratch copy of the database
// (SQLite's VACUUM INTO), made on first use and deleted with the last copy of
// the returned function.
#pragma once

#include "reports/leakage_audit.h"

namespace popsweep::reports {

// `db` must outlive the returned function.
DuplicateRule dedup_stage_rule(storage::Database& db);

}  // namespace popsweep::reports
