// The three split protocols against hand-computed folds: media is M19's
// stratified folds item by item; post never puts two items of a post on
// both sides and stratifies posts; time validates consecutive blocks and
// trains only on what was published the gap before them.
#include "worker/train/split_protocol.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "common/error.h"
#include "worker/train/folds.h"

namespace popsweep::train {
namespace {

constexpr std::int64_t kDay = 86400;

// `posts` posts of 1 to 4 items each, classes drawn per post, one day apart.
std::vector<SplitItem> carousel_profile(int posts, int classes, std::uint64_t seed) {
  std::mt19937_64 generator(seed);
  std::vector<SplitItem> items;
  for (int post = 0; post < posts; ++post) {
    const int size = 1 + static_cast<int>(generator() % 4);
    const int popularity_class = static_cast<int>(generator() % static_cast<std::uint64_t>(classes));
    for (int i = 0; i < size; ++i) items.push_back({popularity_class, 1000 + post, post * kDay});
  }
  // Items arrive in any order, not grouped by post.
  std::shuffle(items.begin(), items.end(), generator);
  return items;
}

TEST(SplitProtocol, NamesRoundTripAndUnknownNamesAreRefused) {
  for (const SplitProtocol p : {SplitProtocol::kMedia, SplitProtocol::kPost, SplitProtocol::kTime}) {
    EXPECT_EQ(parse_split_protocol(split_protocol_name(p)), p);
  }
  EXPECT_THROW(parse_split_protocol("random"), ConfigError);
}

TEST(SplitProtocol, MediaIsTheStratifiedFoldsOfM19) {
  const std::vector<SplitItem> items = carousel_profile(60, 3, 5);
  std::vector<int> classes;
  for (const SplitItem& item : items) classes.push_back(item.popularity_class);
  const SplitPlan plan(SplitProtocol::kMedia, items, 5, 42);
  EXPECT_EQ(plan.fold_of_item(), stratified_folds(classes, 5, 42));
  const FoldMembers members = plan.members(3);
  EXPECT_EQ(members.validation, items_in_fold(plan.fold_of_item(), 3));
  EXPECT_EQ(members.training, items_outside_fold(plan.fold_of_item(), 3));
  EXPECT_TRUE(plan.may_also_train_on(3, 1000, 0)) << "the paper trains the mixed experiments on every image";
}

TEST(SplitProtocol, PostKeepsEveryPostInOneFoldAndStratifiesPosts) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const std::vector<SplitItem> items = carousel_profile(53, 3, seed);
    const SplitPlan plan(SplitProtocol::kPost, items, 5, seed);
    std::map<std::int64_t, std::set<int>> folds_of_post;
    std::map<std::int64_t, int> class_of_post;
    for (size_t i = 0; i < items.size(); ++i) {
      folds_of_post[items[i].post].insert(plan.fold_of_item()[i]);
      class_of_post[items[i].post] = items[i].popularity_class;
    }
    for (const auto& [post, folds] : folds_of_post) EXPECT_EQ(folds.size(), 1u) << "post " << post << " seed " << seed;
    // Stratified over posts: each fold holds floor or ceil of n_class / 5 posts of each class.
    std::map<int, int> totals;
    std::vector<std::map<int, int>> per_fold(5);
    for (const auto& [post, folds] : folds_of_post) {
      ++totals[class_of_post[post]];
      ++per_fold[static_cast<size_t>(*folds.begin())][class_of_post[post]];
    }
    for (const auto& [c, total] : totals) {
      for (int f = 0; f < 5; ++f) {
        EXPECT_GE(per_fold[static_cast<size_t>(f)][c], total / 5);
        EXPECT_LE(per_fold[static_cast<size_t>(f)][c], (total + 4) / 5);
      }
    }
    // No fold trains on an item of a post it validates.
    for (int f = 0; f < 5; ++f) {
      const FoldMembers members = plan.members(f);
      std::set<std::int64_t> validated_posts;
      for (const std::int64_t i : members.validation) validated_posts.insert(items[static_cast<size_t>(i)].post);
      for (const std::int64_t i : members.training) EXPECT_FALSE(validated_posts.count(items[static_cast<size_t>(i)].post));
      EXPECT_EQ(members.validation.size() + members.training.size(), items.size());
      EXPECT_FALSE(plan.may_also_train_on(f, *validated_posts.begin(), 0));
    }
  }
}

TEST(SplitProtocol, PostFoldsOfTheSameItemsDoNotDependOnTheirOrder) {
  // The video experiments share folds because the plan depends on the items alone.
  const std::vector<SplitItem> items = carousel_profile(40, 2, 9);
  EXPECT_EQ(SplitPlan(SplitProtocol::kPost, items, 4, 3).fold_of_item(),
            SplitPlan(SplitProtocol::kPost, items, 4, 3).fold_of_item());
}

TEST(SplitProtocol, TimeValidatesConsecutiveBlocksAndTrainsOnThePastBeforeTheGap) {
  // Ten single-item posts on days 0..9, listed in reverse; 5 blocks of 2 days.
  std::vector<SplitItem> items;
  for (int day = 9; day >= 0; --day) items.push_back({day % 2, day, day * kDay});
  const SplitPlan no_gap(SplitProtocol::kTime, items, 5, 0, 0);
  EXPECT_FALSE(no_gap.is_validated(0));
  EXPECT_THROW(no_gap.members(0), ConfigError);
  // Item i is day 9 - i: fold 2 validates days 4 and 5 and trains on days 0-3.
  const FoldMembers fold2 = no_gap.members(2);
  EXPECT_EQ(fold2.validation, (std::vector<std::int64_t>{4, 5}));
  EXPECT_EQ(fold2.training, (std::vector<std::int64_t>{6, 7, 8, 9}));
  EXPECT_EQ(no_gap.block_start(2), 4 * kDay);
  // A gap of 1.5 days: only days 0-2 are at least 1.5 days before day 4.
  const SplitPlan gap(SplitProtocol::kTime, items, 5, 0, 3 * kDay / 2);
  EXPECT_EQ(gap.members(2).training, (std::vector<std::int64_t>{7, 8, 9}));
  EXPECT_EQ(gap.members(4).validation, (std::vector<std::int64_t>{0, 1}));
  EXPECT_TRUE(gap.may_also_train_on(2, 77, 2 * kDay));
  EXPECT_FALSE(gap.may_also_train_on(2, 77, 3 * kDay)) << "published less than the gap before the block";
  EXPECT_FALSE(gap.may_also_train_on(2, 4, 0)) << "an item of a validated post never trains";
  // A gap longer than the past leaves fold 1 nothing: refused, naming the key.
  const SplitPlan too_long(SplitProtocol::kTime, items, 5, 0, 30 * kDay);
  try {
    (void)too_long.members(1);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("train.time_gap_weeks"), std::string::npos) << error.what();
  }
}

TEST(SplitProtocol, TimeKeepsACarouselInOneBlockAndIgnoresTheSeed) {
  const std::vector<SplitItem> items = carousel_profile(31, 2, 4);
  const SplitPlan a(SplitProtocol::kTime, items, 4, 1, 0), b(SplitProtocol::kTime, items, 4, 99, 0);
  EXPECT_EQ(a.fold_of_item(), b.fold_of_item());
  for (int f = 1; f < 4; ++f) {
    const FoldMembers members = a.members(f);
    std::int64_t latest_training = -1, earliest_validation = 1LL << 60;
    for (const std::int64_t i : members.training) latest_training = std::max(latest_training, items[static_cast<size_t>(i)].posted_at);
    for (const std::int64_t i : members.validation) {
      earliest_validation = std::min(earliest_validation, items[static_cast<size_t>(i)].posted_at);
    }
    EXPECT_LT(latest_training, earliest_validation) << "fold " << f;
  }
}

TEST(SplitProtocol, TooFewPostsAreRefused) {
  const std::vector<SplitItem> three_posts{{0, 1, 0}, {1, 1, 0}, {0, 2, 5}, {1, 3, 9}, {1, 3, 9}};
  EXPECT_THROW(SplitPlan(SplitProtocol::kPost, three_posts, 4, 1), ConfigError);
  EXPECT_THROW(SplitPlan(SplitProtocol::kTime, three_posts, 4, 1), ConfigError);
  EXPECT_NO_THROW(SplitPlan(SplitProtocol::kMedia, three_posts, 4, 1));
}

}  // namespace
}  // namespace popsweep::train
