// M2: follower estimates, checked against values computed by hand.
#include "worker/data/follower_curve.h"

#include <gtest/gtest.h>

#include "common/error.h"

#include <cmath>

namespace popsweep::data {
namespace {

constexpr UnixSeconds kDay = kSecondsPerDay;

TEST(FollowerCurve, ExactlyAtASampleTime) {
  const FollowerCurve curve({{10 * kDay, 1000}, {20 * kDay, 2000}});
  const FollowerEstimate estimate = curve.at(10 * kDay);
  EXPECT_DOUBLE_EQ(estimate.followers, 1000);
  EXPECT_FALSE(estimate.extrapolated);
  EXPECT_DOUBLE_EQ(curve.at(20 * kDay).followers, 2000);
}

TEST(FollowerCurve, InterpolatesLinearlyBetweenNearestSamples) {
  const FollowerCurve curve({{20 * kDay, 2000}, {10 * kDay, 1000}, {30 * kDay, 5000}});
  // A quarter of the way from day 10 to day 20: 1000 + 0.25 * 1000.
  EXPECT_DOUBLE_EQ(curve.at(10 * kDay + kDay * 10 / 4).followers, 1250);
  // Halfway from day 20 to day 30: 3500.
  EXPECT_DOUBLE_EQ(curve.at(25 * kDay).followers, 3500);
  EXPECT_FALSE(curve.at(25 * kDay).extrapolated);
}

TEST(FollowerCurve, ExtrapolatesLogLinearGrowthBeforeAndAfter) {
  // Exactly exponential samples: 1000 * 2^(day / 10). The log-linear fit is
  // exact, so outside the range the curve continues the doubling.
  std::vector<FollowerSample> samples;
  for (int day = 0; day <= 100; day += 10) {
    samples.push_back({day * kDay, static_cast<std::int64_t>(std::llround(1000 * std::pow(2.0, day / 10.0)))});
  }
  const FollowerCurve curve(samples, 8);
  const FollowerEstimate before = curve.at(-10 * kDay);
  EXPECT_TRUE(before.extrapolated);
  EXPECT_NEAR(before.followers, 500, 0.5);
  const FollowerEstimate after = curve.at(110 * kDay);
  EXPECT_TRUE(after.extrapolated);
  EXPECT_NEAR(after.followers, 2048000, 2048000 * 1e-6);
}

TEST(FollowerCurve, FitUsesOnlyTheNearestSamples) {
  // The first 3 samples grow tenfold per 10 days; the later ones are flat.
  // With fit_points = 3, extrapolating before the first sample follows the
  // early growth: at day -10 that is 100 / 10 = 10.
  const FollowerCurve curve({{0, 100}, {10 * kDay, 1000}, {20 * kDay, 10000},
                             {30 * kDay, 10000}, {40 * kDay, 10000}},
                            3);
  EXPECT_NEAR(curve.at(-10 * kDay).followers, 10, 1e-6);
  // After the last sample the nearest 3 are flat.
  EXPECT_NEAR(curve.at(100 * kDay).followers, 10000, 1e-6);
}

TEST(FollowerCurve, NeverBelowOne) {
  // Fast decline: the extrapolation would fall under one follower.
  const FollowerCurve curve({{0, 1000}, {kDay, 10}});
  EXPECT_DOUBLE_EQ(curve.at(30 * kDay).followers, 1.0);
}

TEST(FollowerCurve, SingleSampleIsHeldFlat) {
  const FollowerCurve curve({{5 * kDay, 700}});
  EXPECT_DOUBLE_EQ(curve.at(0).followers, 700);
  EXPECT_TRUE(curve.at(0).extrapolated);
  EXPECT_FALSE(curve.at(5 * kDay).extrapolated);
}

TEST(FollowerCurve, RefusesNoSamples) { EXPECT_THROW(FollowerCurve({}), Error); }

}  // namespace
}  // namespace popsweep::data
