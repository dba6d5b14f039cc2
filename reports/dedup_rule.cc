#include "reports/dedup_rule.h"

#include "worker/features/near_duplicate_search.h"

namespace popsweep::reports {

DuplicateRule dedup_stage_rule(storage::Database& db) {
  return [&db](std::int64_t feature_set_id, std::optional<double> threshold) {
    features::DedupSettings settings;
    settings.threshold = threshold;
    const features::NearDuplicateReport report = features::find_near_duplicates(db, feature_set_id, settings);
    DuplicateMatches matches;
    matches.threshold = report.threshold;
    matches.suggested = report.suggested;
    for (const features::DuplicatePair& pair : report.pairs)
      if (pair.kept) matches.pairs.emplace_back(pair.first_media_id, pair.second_media_id);
    return matches;
  };
}

}  // namespace popsweep::reports
