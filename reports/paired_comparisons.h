// Which experiments can be compared pair by pair, and how: two groups of one
// sweep point and number of classes whose jobs validated the same items on
// the same (repeat, fold) splits (the three video experiments share the video
// folds, M19) are compared with the corrected resampled t-test on their
// per-split accuracy differences. Groups validated on different items (image
// against video) are not paired: their differences would mix two data sets.
#pragma once

#include <vector>

#include "reports/sweep_results.h"

namespace popsweep::reports {

// Best-epoch accuracy, one comparison per eligible pair; pairs with fewer
// than two common splits are left out, since one split has no variance.
std::vector<ExperimentComparison> compare_paired_experiments(const std::vector<ResultGroup>& groups);

}  // namespace popsweep::reports
