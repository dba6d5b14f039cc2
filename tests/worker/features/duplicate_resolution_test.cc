// M9, checked by hand on small groups.
#include "worker/features/duplicate_resolution.h"

#include <gtest/gtest.h>

#include <cmath>

#include "worker/features/duplicate_threshold.h"

namespace popsweep::features {
namespace {

TEST(DuplicateResolution, SinglePostWinsOverCarousel) {
  // The carousel item is more recent, but a single post wins.
  const std::vector<DuplicateCandidate> media{{10, false, 100}, {11, true, 200}};
  const std::vector<Removal> removed = resolve_duplicates(media, {{0, 1, 0.5}});
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_EQ(removed[0].removed_media_id, 11);
  EXPECT_EQ(removed[0].kept_media_id, 10);
  EXPECT_DOUBLE_EQ(removed[0].distance, 0.5);
}

TEST(DuplicateResolution, MostRecentWinsBetweenSameKind) {
  const std::vector<DuplicateCandidate> media{{1, true, 300}, {2, true, 100}, {3, false, 50}, {4, false, 60}};
  const std::vector<Removal> removed = resolve_duplicates(media, {{0, 1, 1.0}, {2, 3, 2.0}});
  ASSERT_EQ(removed.size(), 2u);
  EXPECT_EQ(removed[0].removed_media_id, 2);
  EXPECT_EQ(removed[0].kept_media_id, 1);
  EXPECT_EQ(removed[1].removed_media_id, 3);
  EXPECT_EQ(removed[1].kept_media_id, 4);
}

TEST(DuplicateResolution, ChainsFormOneGroupWithOneKeeper) {
  const std::vector<DuplicateCandidate> media{{1, false, 10}, {2, false, 30}, {3, false, 20}, {4, false, 5}};
  const std::vector<Removal> removed = resolve_duplicates(media, {{0, 2, 0.3}, {2, 1, 0.4}});
  ASSERT_EQ(removed.size(), 2u);
  for (const Removal& r : removed) EXPECT_EQ(r.kept_media_id, 2);
}

TEST(DuplicateThreshold, FindsTheValleyBelowTheBulk) {
  // 100 distinct images around distance 20, 6 near duplicates around 0.5.
  std::vector<double> distances;
  for (int i = 0; i < 100; ++i) distances.push_back(18 + 0.04 * i);
  for (int i = 0; i < 6; ++i) distances.push_back(0.3 + 0.1 * i);
  const ThresholdSuggestion suggestion = suggest_threshold(distances);
  ASSERT_TRUE(suggestion.threshold);
  EXPECT_GT(*suggestion.threshold, 0.8);
  EXPECT_LT(*suggestion.threshold, 18);
}

// A spread-out tail (re-encodes near 0.3, a crop near 2) with a wider gap
// inside it than between it and the bulk, on a log scale: the threshold must
// still keep the whole tail (the nearest distances of the tiny synthetic
// profile with random weights).
TEST(DuplicateThreshold, KeepsASpreadOutTailWhole) {
  std::vector<double> distances = {0.287, 0.287, 0.338, 0.338, 0.411, 0.411, 1.378, 1.378, 1.946, 1.946};
  for (int i = 0; i < 47; ++i) distances.push_back(5.9 + 0.2 * i);
  const ThresholdSuggestion suggestion = suggest_threshold(distances);
  ASSERT_TRUE(suggestion.threshold);
  EXPECT_GT(*suggestion.threshold, 1.946);
  EXPECT_LT(*suggestion.threshold, 5.9);
}

// The paper-size synthetic profile's shape with random weights: 20 tight
// re-encodes, crops spread from 1 to 3, and a log-normal bulk of 200 distinct
// pictures (median 6, log deviation 0.2, smallest 3.42). Otsu's split alone
// falls at 1.62, inside the crops; the bulk's own left edge (3.28) keeps them.
TEST(DuplicateThreshold, ReachesUpToWhereTheBulkStarts) {
  std::vector<double> distances(20, 0.4);
  for (int i = 0; i < 9; ++i) distances.push_back(1.0 + 0.25 * i);
  double smallest_distinct = 1e9;
  for (int i = 0; i < 200; ++i) {
    // Normal quantiles by bisection on erfc: the bulk is log-normal by construction.
    const double p = (i + 0.5) / 200;
    double low = -10, high = 10;
    for (int k = 0; k < 100; ++k) {
      const double mid = (low + high) / 2;
      (0.5 * std::erfc(-mid / std::sqrt(2.0)) < p ? low : high) = mid;
    }
    distances.push_back(std::exp(std::log(6.0) + 0.2 * low));
    smallest_distinct = std::min(smallest_distinct, distances.back());
  }
  const ThresholdSuggestion suggestion = suggest_threshold(distances);
  ASSERT_TRUE(suggestion.threshold);
  EXPECT_GT(*suggestion.threshold, 3.0);  // every crop
  EXPECT_LT(*suggestion.threshold, smallest_distinct);
  EXPECT_NEAR(smallest_distinct, 3.4224, 1e-3);
}

TEST(DuplicateThreshold, NoTailMeansNoDuplicates) {
  std::vector<double> distances;
  for (int i = 0; i < 100; ++i) distances.push_back(18 + 0.04 * i);
  EXPECT_FALSE(suggest_threshold(distances).threshold);
}

TEST(DuplicateThreshold, HistogramCountsEveryFiniteDistance) {
  const std::vector<HistogramBin> bins = distance_histogram({0, 1, 2, 3, 4, 1e300 * 1e10}, 4);
  ASSERT_EQ(bins.size(), 4u);
  int total = 0;
  for (const HistogramBin& bin : bins) total += bin.count;
  EXPECT_EQ(total, 5);
  EXPECT_EQ(bins.back().count, 2);  // 3 and 4 (the top edge belongs to the last bin)
}

}  // namespace
}  // namespace popsweep::features
