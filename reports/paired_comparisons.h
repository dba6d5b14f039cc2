// Which experiments can be compared pair by pair, and how: two groups of one
// sweep point and number of classes whose jobs validated the same items on
// the same (repeat, fold) splits (the three video experiments share the video
// folds, M19) are compared. Random folds (train.split media, post): the
// corrected resampled t-test on their per-split accuracy differences.
// Forward chaining (time): the folds are consecutive blocks, not random
// resamples, so that test does not apply; the exact sign test over the pooled
// out-of-fold predictions of the same items does (see statistics.h for its
// assumption). Groups validated on different items (image against video)
// are not paired: their differences would mix two data sets.
#pragma once

#include <optional>
#include <vector>

#include "reports/sweep_results.h"

namespace popsweep::reports {

// Best-epoch accuracy, one comparison per eligible pair; under random folds,
// pairs with fewer than two common splits are left out, since one split has
// no variance.
std::vector<ExperimentComparison> compare_paired_experiments(const std::vector<ResultGroup>& groups);

// The test of two groups validated on the same items per split (labelled
// with their experiments), or nothing when they cannot be paired: different
// items, or too few shared splits for the split's test.
std::optional<ExperimentComparison> compare_groups(const ResultGroup& first, const ResultGroup& second);

// The two-sided p-value of whichever test the comparison holds, if defined.
std::optional<double> comparison_p_value(const ExperimentComparison& comparison);

}  // namespace popsweep::reports
