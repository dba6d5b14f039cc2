// Reference values from scipy 1.10 (python3-scipy): scipy.stats.t.cdf,
// scipy.special.betainc, and the corrected resampled t-test computed by hand.
#include "reports/statistics.h"

#include <gtest/gtest.h>

#include <cmath>

namespace popsweep::reports {
namespace {

TEST(Statistics, MeanAndPopulationStd) {
  // numpy.std([0.70, 0.72, 0.74]) = 0.016329931618554536
  EXPECT_NEAR(population_std({0.70, 0.72, 0.74}), 0.016329931618554536, 1e-15);
  EXPECT_DOUBLE_EQ(mean_of({1, 2, 3, 4}), 2.5);
  EXPECT_DOUBLE_EQ(sample_variance({1, 2, 3, 4}), 5.0 / 3.0);
}

TEST(Statistics, IncompleteBetaMatchesScipy) {
  // scipy.special.betainc(2, 3, 0.4) = 0.5248; betainc(0.5, 0.5, 0.3) = 0.36901011956...
  EXPECT_NEAR(regularized_incomplete_beta(2, 3, 0.4), 0.5248, 1e-12);
  EXPECT_NEAR(regularized_incomplete_beta(0.5, 0.5, 0.3), 0.3690101195655454, 1e-12);
  EXPECT_NEAR(regularized_incomplete_beta(7.5, 0.5, 0.9), 0.2162483651372665, 1e-10);
}

TEST(Statistics, StudentTCdfMatchesScipy) {
  // scipy.stats.t.cdf(x, df)
  EXPECT_NEAR(student_t_cdf(0.0, 5), 0.5, 1e-15);
  EXPECT_NEAR(student_t_cdf(2.0, 5), 0.9490302605850709, 1e-12);
  EXPECT_NEAR(student_t_cdf(-1.5, 14), 0.07791265904858845, 1e-12);
  EXPECT_NEAR(student_t_cdf(3.2, 1), 0.9035887520207704, 1e-12);
  EXPECT_NEAR(student_t_cdf(0.7, 100), 0.7572236967728132, 1e-12);
}

TEST(Statistics, CorrectedResampledTTestByHand) {
  // 5 folds x 3 repeats; differences d with mean 0.02 and sample variance
  // 0.0001; test fraction 1/5: t = 0.02 / sqrt((1/15 + 0.25) * 0.0001).
  const std::vector<double> d{0.01, 0.03, 0.02, 0.01, 0.03, 0.02, 0.01, 0.03, 0.02, 0.01, 0.03, 0.02, 0.01, 0.03, 0.02};
  const PairedComparison result = corrected_resampled_t_test(d, 0.2);
  const double variance = sample_variance(d);
  const double expected_t = 0.02 / std::sqrt((1.0 / 15 + 0.25) * variance);
  EXPECT_NEAR(result.mean_difference, 0.02, 1e-15);
  ASSERT_TRUE(result.t_statistic && result.p_value);
  EXPECT_NEAR(*result.t_statistic, expected_t, 1e-12);
  EXPECT_EQ(result.degrees_of_freedom, 14);
  EXPECT_NEAR(*result.p_value, 2 * (1 - student_t_cdf(expected_t, 14)), 1e-15);
  // The uncorrected test would claim far more certainty.
  const double naive_t = 0.02 / std::sqrt(variance / 15);
  EXPECT_LT(*result.t_statistic, naive_t);
}

// Issue 24: every split showing the same difference has no spread to test
// against. Today's answer was t = inf, p = 0; see statistics.h for the choice.
TEST(Statistics, TTestWithTheSameDifferenceOnEverySplit) {
  // 3 folds: each split 1 of 10 items better, 0.1 = 0.6 - 0.5 = 0.8 - 0.7 =
  // 0.3 - 0.2, which do not round to the same double.
  const std::vector<double> tenth{0.6 - 0.5, 0.8 - 0.7, 0.3 - 0.2};
  ASSERT_NE(tenth[0], tenth[1]);  // the rounding this test is about
  const PairedComparison undefined = corrected_resampled_t_test(tenth, 1.0 / 3);
  EXPECT_NEAR(undefined.mean_difference, 0.1, 1e-15);
  EXPECT_EQ(undefined.degrees_of_freedom, 2);
  EXPECT_FALSE(undefined.p_value.has_value());
  EXPECT_FALSE(undefined.t_statistic.has_value());
  EXPECT_NE(undefined.undefined_because.find("all 3 splits differ by exactly +0.100"), std::string::npos)
      << undefined.undefined_because;
  // A common difference of 0 is no evidence of a difference: p = 1, t = 0.
  const PairedComparison none = corrected_resampled_t_test({0.0, 0.0, 0.0, 0.0}, 0.5);
  ASSERT_TRUE(none.p_value && none.t_statistic);
  EXPECT_EQ(*none.p_value, 1.0);
  EXPECT_EQ(*none.t_statistic, 0.0);
  EXPECT_TRUE(none.undefined_because.empty());
  // One split: no variance to estimate.
  const PairedComparison one = corrected_resampled_t_test({0.2}, 0.5);
  EXPECT_FALSE(one.p_value.has_value());
  EXPECT_NE(one.undefined_because.find("1 split"), std::string::npos);
}

// Just off the degenerate case the test is defined again, and finite: d =
// (0.1, 0.1, 0.1 + 3e-3), 3 folds. Mean 0.101, sample variance 3e-6,
// scale 1/3 + 1/2 = 5/6, t = 0.101 / sqrt(2.5e-6) = 63.87800..., 2 df.
TEST(Statistics, TTestNearlyTheSameDifferenceByHand) {
  const PairedComparison result = corrected_resampled_t_test({0.1, 0.1, 0.103}, 1.0 / 3);
  ASSERT_TRUE(result.t_statistic && result.p_value);
  EXPECT_NEAR(*result.t_statistic, 0.101 / std::sqrt(2.5e-6), 1e-6);
  // Two-sided p for 2 df in closed form: 1 - |t| / sqrt(2 + t^2).
  const double t = *result.t_statistic;
  EXPECT_NEAR(*result.p_value, 1 - t / std::sqrt(2 + t * t), 1e-12);
  EXPECT_GT(*result.p_value, 0.0);
}

TEST(Statistics, BinomialHalfCdfByHand) {
  // P(X <= 2), X ~ Bin(10, 1/2) = (1 + 10 + 45) / 1024.
  EXPECT_NEAR(binomial_half_cdf(2, 10), 56.0 / 1024, 1e-15);
  EXPECT_DOUBLE_EQ(binomial_half_cdf(-1, 10), 0.0);
  EXPECT_DOUBLE_EQ(binomial_half_cdf(10, 10), 1.0);
  EXPECT_NEAR(binomial_half_cdf(0, 5), 1.0 / 32, 1e-15);
}

TEST(Statistics, ExactSignTestIsMcNemarsExactTest) {
  // Two-sided p = min(1, 2 sum_{i <= min(b, c)} C(b + c, i) / 2^(b + c)),
  // computed with Python's exact integers (math.comb): scipy's
  // binomtest(b, b + c, 0.5).pvalue and statsmodels' mcnemar(exact=True).
  EXPECT_NEAR(exact_sign_test(2, 8).p_value, 0.109375, 1e-14);  // 2 * 56 / 1024
  EXPECT_NEAR(exact_sign_test(8, 2).p_value, 0.109375, 1e-14);  // symmetric
  EXPECT_NEAR(exact_sign_test(0, 5).p_value, 0.0625, 1e-14);
  EXPECT_DOUBLE_EQ(exact_sign_test(7, 7).p_value, 1.0);
  EXPECT_NEAR(exact_sign_test(30, 45).p_value, 0.10534226887460488, 1e-12);
  EXPECT_NEAR(exact_sign_test(120, 80).p_value, 0.0056851559967503055, 1e-12);
  // No discordant item: nothing to test.
  const SignTest none = exact_sign_test(0, 0, 12);
  EXPECT_DOUBLE_EQ(none.p_value, 1.0);
  EXPECT_EQ(none.ties, 12);
}

}  // namespace
}  // namespace popsweep::reports
