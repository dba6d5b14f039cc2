// M19's stratified K-fold assignment. Items are grouped by class, shuffled
// inside each class, laid end to end and dealt to folds in turn, one pass
// continuing from class to class; the fold numbers are then relabelled by a
// seeded permutation so the folds that receive an extra item vary with the
// seed. Dealing in turn gives both guarantees at once: every fold holds
// floor or ceil of n_class / k items of each class, and fold sizes differ by
// at most one.
//
// The assignment depends only on the items' classes, the number of folds and
// the seed, so experiments validated on the same items share their folds
// (the three video experiments); images added to a video experiment's
// training sets take no part in it.
#pragma once

#include <cstdint>
#include <vector>

namespace popsweep::train {

// fold_of_item[i] in [0, splits): the fold in which item i is validated.
// Classes are non-negative integers; `splits` >= 2 and at most the number of
// items (a ConfigError otherwise). A class rarer than `splits` is allowed:
// some folds then hold none of it.
std::vector<int> stratified_folds(const std::vector<int>& classes, int splits, std::uint64_t seed);

// Indices of the items in the fold (validation) or in every other fold
// (training), in increasing order.
std::vector<std::int64_t> items_in_fold(const std::vector<int>& fold_of_item, int fold);
std::vector<std::int64_t> items_outside_fold(const std::vector<int>& fold_of_item, int fold);

}  // namespace popsweep::train
