// M7's "list of pairs to inspect" as a picture: the closest near-duplicate
// pairs side by side as thumbnails, each with its distance and which one
// stayed, so users can judge the threshold by eye. The thumbnails are JPEG
// data URIs inside the SVG, so the report stays one self-contained file.
#pragma once

#include <optional>
#include <vector>

#include "reports/report_charts.h"
#include "storage/feature_tables.h"
#include "storage/profile_tables.h"

namespace popsweep::reports {

// The `max_pairs` closest pairs of `duplicates`; a pair whose file cannot be
// read is left out. Nothing when no pair can be shown.
std::optional<ReportChart> duplicate_sheet_chart(const std::vector<storage::MediaOfPost>& media,
                                                 std::vector<storage::DuplicateRow> duplicates, int max_pairs = 12);

}  // namespace popsweep::reports
