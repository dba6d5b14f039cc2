// M7's "list of pairs to inspect" as a picture: the closest near-duplicate
// pairs side by side as thumbnails, each with its distance and which one
// stayed, so users can judge the threshold by eye; below them, when pixel
// verification ran, the closest near-misses it rejected (same-template posts
// both kept), with the distance and the verification's score and reason, so
// users can judge the verification too. The thumbnails are JPEG data URIs
// inside the SVG, so the report stays one self-contained file.
#pragma once

#include <optional>
#include <vector>

#include "reports/report_charts.h"
#include "storage/dedup_candidate_tables.h"
#include "storage/feature_tables.h"
#include "storage/profile_tables.h"

namespace popsweep::reports {

// The `max_pairs` closest pairs of `duplicates`, then the `max_pairs`
// closest candidates of `candidates` that were not kept (rejected by
// verification); a pair whose file cannot be read is left out. Nothing when
// no pair can be shown.
std::optional<ReportChart> duplicate_sheet_chart(
    const std::vector<storage::MediaOfPost>& media, std::vector<storage::DuplicateRow> duplicates,
    const std::vector<storage::DedupCandidateRow>& candidates = {}, int max_pairs = 12);

}  // namespace popsweep::reports
