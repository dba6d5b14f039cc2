// M19's stratified folds, checked exhaustively over seeds and class mixes.
#include "worker/train/folds.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include "common/error.h"

namespace popsweep::train {
namespace {

std::vector<int> classes_with_counts(const std::vector<int>& counts, std::uint64_t interleave_seed) {
  std::vector<int> classes;
  for (size_t c = 0; c < counts.size(); ++c) classes.insert(classes.end(), static_cast<size_t>(counts[c]), static_cast<int>(c));
  // Items arrive in an arbitrary order, not grouped by class.
  std::mt19937_64 generator(interleave_seed);
  std::shuffle(classes.begin(), classes.end(), generator);
  return classes;
}

void expect_stratified(const std::vector<int>& classes, const std::vector<int>& fold_of_item, int splits,
                       const std::string& context) {
  ASSERT_EQ(fold_of_item.size(), classes.size()) << context;
  std::map<int, int> class_totals;
  std::vector<std::map<int, int>> per_fold(static_cast<size_t>(splits));
  std::vector<int> sizes(static_cast<size_t>(splits), 0);
  for (size_t i = 0; i < classes.size(); ++i) {
    ASSERT_GE(fold_of_item[i], 0) << context;
    ASSERT_LT(fold_of_item[i], splits) << context;
    ++class_totals[classes[i]];
    ++per_fold[static_cast<size_t>(fold_of_item[i])][classes[i]];
    ++sizes[static_cast<size_t>(fold_of_item[i])];
  }
  // Every item is validated exactly once: it has one fold, and the folds'
  // validation sets partition the items.
  size_t validated = 0;
  for (int fold = 0; fold < splits; ++fold) validated += items_in_fold(fold_of_item, fold).size();
  EXPECT_EQ(validated, classes.size()) << context;
  for (const auto& [c, total] : class_totals) {
    const double ideal = static_cast<double>(total) / splits;
    for (int fold = 0; fold < splits; ++fold) {
      const int count = per_fold[static_cast<size_t>(fold)][c];
      EXPECT_LE(std::abs(count - ideal), 1.0) << context << " class " << c << " fold " << fold;
      EXPECT_TRUE(count == static_cast<int>(std::floor(ideal)) || count == static_cast<int>(std::ceil(ideal)))
          << context << " class " << c << " fold " << fold << " count " << count;
    }
  }
  const auto [smallest, largest] = std::minmax_element(sizes.begin(), sizes.end());
  EXPECT_LE(*largest - *smallest, 1) << context;
  EXPECT_GE(*smallest, 1) << context;
}

TEST(StratifiedFolds, BalancedWithinOneForEverySeedAndClassMix) {
  const std::vector<std::vector<int>> mixes = {
      {50, 50}, {51, 49}, {7, 3}, {100, 13}, {20, 20, 20}, {34, 33, 33}, {1, 2, 3, 4}, {3, 40, 2}, {5, 5}, {0, 9, 4},
      {288, 288}, {186, 185, 185}};
  for (const std::vector<int>& mix : mixes) {
    for (const int splits : {2, 3, 5}) {
      for (std::uint64_t seed = 0; seed < 20; ++seed) {
        const std::vector<int> classes = classes_with_counts(mix, seed + 1000);
        if (classes.size() < static_cast<size_t>(splits)) continue;
        expect_stratified(classes, stratified_folds(classes, splits, seed), splits,
                          "mix of " + std::to_string(mix.size()) + " classes, first " + std::to_string(mix[0]) +
                              ", splits " + std::to_string(splits) + ", seed " + std::to_string(seed));
      }
    }
  }
}

TEST(StratifiedFolds, SameSeedSameFoldsOtherSeedOtherFolds) {
  const std::vector<int> classes = classes_with_counts({40, 30, 30}, 1);
  EXPECT_EQ(stratified_folds(classes, 5, 9), stratified_folds(classes, 5, 9));
  EXPECT_NE(stratified_folds(classes, 5, 9), stratified_folds(classes, 5, 10));
}

TEST(StratifiedFolds, WhichFoldsGetTheExtraItemVariesWithTheSeed) {
  // 11 items in 5 folds: one fold holds 3. Over seeds, more than one fold should.
  const std::vector<int> classes(11, 0);
  std::set<int> large_folds;
  for (std::uint64_t seed = 0; seed < 30; ++seed) {
    const std::vector<int> folds = stratified_folds(classes, 5, seed);
    for (int fold = 0; fold < 5; ++fold) {
      if (items_in_fold(folds, fold).size() == 3) large_folds.insert(fold);
    }
  }
  EXPECT_GE(large_folds.size(), 3u);
}

TEST(StratifiedFolds, TrainingAndValidationItemsPartitionTheItems) {
  const std::vector<int> classes = classes_with_counts({12, 9}, 2);
  const std::vector<int> folds = stratified_folds(classes, 5, 4);
  for (int fold = 0; fold < 5; ++fold) {
    std::vector<std::int64_t> all = items_in_fold(folds, fold);
    const std::vector<std::int64_t> training = items_outside_fold(folds, fold);
    all.insert(all.end(), training.begin(), training.end());
    std::sort(all.begin(), all.end());
    ASSERT_EQ(all.size(), classes.size());
    for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i], static_cast<std::int64_t>(i));
  }
}

TEST(StratifiedFolds, RejectsImpossibleSplits) {
  EXPECT_THROW(stratified_folds({0, 1, 0}, 1, 0), ConfigError);
  EXPECT_THROW(stratified_folds({0, 1, 0}, 5, 0), ConfigError);
  EXPECT_THROW(stratified_folds({0, -1, 0, 1, 1}, 2, 0), ConfigError);
}

}  // namespace
}  // namespace popsweep::train
