#include "worker/train/folds.h"

#include <algorithm>
#include <random>
#include <string>

#include "common/error.h"
#include "worker/train/seeds.h"

namespace popsweep::train {

std::vector<int> stratified_folds(const std::vector<int>& classes, int splits, std::uint64_t seed) {
  if (splits < 2) throw ConfigError("stratified folds need at least 2 splits, got " + std::to_string(splits));
  if (classes.size() < static_cast<size_t>(splits)) {
    throw ConfigError("cannot split " + std::to_string(classes.size()) + " items into " + std::to_string(splits) +
                      " folds");
  }
  int class_count = 0;
  for (const int c : classes) {
    if (c < 0) throw ConfigError("stratified folds: negative class " + std::to_string(c));
    class_count = std::max(class_count, c + 1);
  }
  std::vector<std::vector<std::int64_t>> members(static_cast<size_t>(class_count));
  for (size_t i = 0; i < classes.size(); ++i) members[static_cast<size_t>(classes[i])].push_back(static_cast<std::int64_t>(i));

  std::mt19937_64 generator(seed);
  const std::vector<std::int64_t> fold_label = shuffled_indices(splits, generator);
  std::vector<int> fold_of_item(classes.size(), -1);
  std::int64_t dealt = 0;
  for (const std::vector<std::int64_t>& items : members) {
    const std::vector<std::int64_t> order = shuffled_indices(static_cast<std::int64_t>(items.size()), generator);
    for (const std::int64_t position : order) {
      fold_of_item[static_cast<size_t>(items[static_cast<size_t>(position)])] =
          static_cast<int>(fold_label[static_cast<size_t>(dealt % splits)]);
      ++dealt;
    }
  }
  return fold_of_item;
}

std::vector<std::int64_t> items_in_fold(const std::vector<int>& fold_of_item, int fold) {
  std::vector<std::int64_t> items;
  for (size_t i = 0; i < fold_of_item.size(); ++i) {
    if (fold_of_item[i] == fold) items.push_back(static_cast<std::int64_t>(i));
  }
  return items;
}

std::vector<std::int64_t> items_outside_fold(const std::vector<int>& fold_of_item, int fold) {
  std::vector<std::int64_t> items;
  for (size_t i = 0; i < fold_of_item.size(); ++i) {
    if (fold_of_item[i] != fold) items.push_back(static_cast<std::int64_t>(i));
  }
  return items;
}

}  // namespace popsweep::train
