// The seed derivation (every random stream of a job comes from it) must be
// stable across builds and sensitive to every field.
#include "worker/train/seeds.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace popsweep::train {
namespace {

TEST(TrainSeeds, SplitMix64MatchesTheReferenceSequence) {
  // Vigna's splitmix64.c from state 0: its first outputs are the mix of
  // 1x, 2x and 3x the golden-ratio increment.
  EXPECT_EQ(splitmix64(0), 0xE220A8397B1DCDAFULL);
  EXPECT_EQ(splitmix64(0x9E3779B97F4A7C15ULL), 0x6E789E6AA1B965F4ULL);
  EXPECT_EQ(splitmix64(2 * 0x9E3779B97F4A7C15ULL), 0x06C45D188009454FULL);
}

TEST(TrainSeeds, JobSeedIsPinnedAcrossBuilds) {
  // If this value changes, every stored sweep would train differently on rerun.
  EXPECT_EQ(job_seed(42, 0, 0, "image"), job_seed(42, 0, 0, "image"));
  // Worked out independently from the definition (a few lines of Python
  // integer arithmetic over SplitMix64).
  EXPECT_EQ(job_seed(42, 1, 3, "cnn_rnn classes=3"), 0x560AEDB92CFA560BULL);
}

TEST(TrainSeeds, EveryFieldChangesTheJobSeed) {
  const std::uint64_t base = job_seed(7, 1, 2, "image classes=2");
  std::set<std::uint64_t> seeds = {base,
                                   job_seed(8, 1, 2, "image classes=2"),
                                   job_seed(7, 2, 2, "image classes=2"),
                                   job_seed(7, 1, 3, "image classes=2"),
                                   job_seed(7, 1, 2, "image classes=3"),
                                   job_seed(7, 2, 1, "image classes=2"),
                                   job_seed(7, 1, 2, "")};
  EXPECT_EQ(seeds.size(), 7u);
}

TEST(TrainSeeds, StringMixingSeparatesBoundaries) {
  EXPECT_NE(mix_seed(mix_seed(1, "ab"), "c"), mix_seed(mix_seed(1, "a"), "bc"));
  EXPECT_NE(mix_seed(1, std::string_view("")), mix_seed(1, std::string_view(std::string(1, '\0'))));
  EXPECT_NE(mix_seed(1, "12345678"), mix_seed(1, "123456789"));
}

TEST(TrainSeeds, FoldSeedDependsOnSweepAndRepeatOnly) {
  EXPECT_EQ(fold_seed(5, 0), fold_seed(5, 0));
  EXPECT_NE(fold_seed(5, 0), fold_seed(5, 1));
  EXPECT_NE(fold_seed(5, 0), fold_seed(6, 0));
}

TEST(TrainSeeds, UniformBelowStaysInRangeAndCoversIt) {
  std::mt19937_64 generator(3);
  std::vector<int> counts(7, 0);
  for (int i = 0; i < 7000; ++i) {
    const std::uint64_t draw = uniform_below(generator, 7);
    ASSERT_LT(draw, 7u);
    ++counts[draw];
  }
  for (const int count : counts) EXPECT_NEAR(count, 1000, 150);
  EXPECT_EQ(uniform_below(generator, 1), 0u);
}

TEST(TrainSeeds, ShuffledIndicesArePermutationsThatDependOnTheSeed) {
  std::mt19937_64 a(11), b(11), c(12);
  const std::vector<std::int64_t> first = shuffled_indices(50, a);
  EXPECT_EQ(first, shuffled_indices(50, b));
  EXPECT_NE(first, shuffled_indices(50, c));
  std::vector<std::int64_t> sorted = first;
  std::sort(sorted.begin(), sorted.end());
  for (std::int64_t i = 0; i < 50; ++i) EXPECT_EQ(sorted[static_cast<size_t>(i)], i);
  EXPECT_TRUE(shuffled_indices(0, a).empty());
}

}  // namespace
}  // namespace popsweep::train
