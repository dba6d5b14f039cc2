// `popsweep doctor`: SQLite's own integrity check plus popsweep's rules
// (every done job has its results, every result its job, every feature blob
// the size its feature set says, ...), each finding with how to repair it.
// With `repair`, the fixable findings are fixed in one transaction: broken
// results are dropped and their jobs set back to pending, so the next
// `popsweep run` recomputes exactly what was lost.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "storage/feature_tables.h"

namespace popsweep::storage {

class Database;

struct Finding {
  std::string severity;  // error, warning, note
  std::string what;
  std::string repair;    // what --repair does, or what the user should do
  bool repaired = false;
};

// The feature set an extraction job fills, from the job's params. The worker
// composes feature set keys (features::feature_set_key), so the caller gives
// it. Repairing damaged features then sets back only the extraction jobs of
// the damaged feature sets. Without it, or for a job whose params it cannot
// read (it throws), the job is set back too: extracting again only fills gaps.
using FeatureSetOfExtraction = std::function<FeatureSetKey(const std::string& job_params)>;

std::vector<Finding> check_database(Database& db, bool repair,
                                    const FeatureSetOfExtraction& feature_set_of_extraction = {});
std::string describe(const std::vector<Finding>& findings);

}  // namespace popsweep::storage
