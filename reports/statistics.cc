#include "reports/statistics.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace popsweep::reports {
namespace {

// Differences closer than this are the same difference: accuracies are
// fractions k/n, and k1/n1 - k2/n2 rounds differently from split to split.
constexpr double kSameDifference = 1e-12;

}  // namespace

double mean_of(const std::vector<double>& values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  double sum = 0;
  for (const double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

double population_std(const std::vector<double>& values) {
  if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
  const double mean = mean_of(values);
  double sum = 0;
  for (const double v : values) sum += (v - mean) * (v - mean);
  return std::sqrt(sum / static_cast<double>(values.size()));
}

double sample_variance(const std::vector<double>& values) {
  if (values.size() < 2) return std::numeric_limits<double>::quiet_NaN();
  const double mean = mean_of(values);
  double sum = 0;
  for (const double v : values) sum += (v - mean) * (v - mean);
  return sum / static_cast<double>(values.size() - 1);
}

namespace {

// The continued fraction of I_x(a, b), evaluated with the modified Lentz
// method; it converges quickly for x < (a + 1) / (a + b + 2).
double incomplete_beta_fraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  constexpr double kEpsilon = 1e-15;
  double c = 1.0;
  double d = 1.0 - (a + b) * x / (a + 1.0);
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1.0 / d;
  double result = d;
  for (int m = 1; m <= 500; ++m) {
    // Even step: d_{2m} = m (b - m) x / ((a + 2m - 1)(a + 2m)).
    const double even = m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m));
    d = 1.0 + even * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + even / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    result *= d * c;
    // Odd step: d_{2m+1} = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)).
    const double odd = -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0));
    d = 1.0 + odd * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1.0 + odd / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1.0 / d;
    const double step = d * c;
    result *= step;
    if (std::fabs(step - 1.0) < kEpsilon) break;
  }
  return result;
}

}  // namespace

double regularized_incomplete_beta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double log_front = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
  const double front = std::exp(log_front);
  // Use the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) where the fraction converges faster.
  if (x < (a + 1.0) / (a + b + 2.0)) return front * incomplete_beta_fraction(a, b, x) / a;
  return 1.0 - front * incomplete_beta_fraction(b, a, 1.0 - x) / b;
}

double student_t_cdf(double t, double degrees_of_freedom) {
  if (!(degrees_of_freedom > 0)) throw std::invalid_argument("degrees of freedom must be positive");
  if (std::isinf(t)) return t > 0 ? 1.0 : 0.0;
  const double x = degrees_of_freedom / (degrees_of_freedom + t * t);
  const double tail = 0.5 * regularized_incomplete_beta(degrees_of_freedom / 2.0, 0.5, x);
  return t > 0 ? 1.0 - tail : tail;
}

PairedComparison corrected_resampled_t_test(const std::vector<double>& differences, double test_fraction) {
  PairedComparison result;
  const double n = static_cast<double>(differences.size());
  result.mean_difference = mean_of(differences);
  result.degrees_of_freedom = n - 1;
  if (differences.size() < 2) {
    result.undefined_because = fmt::format("{} split: no spread to estimate", differences.size());
    return result;
  }
  const auto [smallest, largest] = std::minmax_element(differences.begin(), differences.end());
  if (*largest - *smallest <= kSameDifference) {
    if (std::fabs(result.mean_difference) <= kSameDifference) {
      result.t_statistic = 0;
      result.p_value = 1;
    } else {
      result.undefined_because = fmt::format("all {} splits differ by exactly {:+.3f}: no spread, so t is infinite",
                                             differences.size(), result.mean_difference);
    }
    return result;
  }
  const double variance = sample_variance(differences);
  const double train_fraction = 1.0 - test_fraction;
  const double scale = 1.0 / n + test_fraction / train_fraction;
  const double t = result.mean_difference / std::sqrt(scale * variance);
  result.t_statistic = t;
  result.p_value = 2.0 * (1.0 - student_t_cdf(std::fabs(t), result.degrees_of_freedom));
  return result;
}

double binomial_half_cdf(int k, int n) {
  if (n < 0) throw std::invalid_argument("binomial_half_cdf: negative n");
  if (k < 0) return 0;
  if (k >= n) return 1;
  // log C(n, i) - n log 2, summed from the largest term down to avoid underflow.
  const double log_half_n = static_cast<double>(n) * std::log(0.5);
  auto log_term = [&](int i) {
    return std::lgamma(n + 1.0) - std::lgamma(i + 1.0) - std::lgamma(n - i + 1.0) + log_half_n;
  };
  const double largest = log_term(std::min(k, n / 2));
  double sum = 0;
  for (int i = 0; i <= k; ++i) sum += std::exp(log_term(i) - largest);
  return std::min(1.0, std::exp(largest + std::log(sum)));
}

SignTest exact_sign_test(int first_better, int second_better, int ties) {
  SignTest result{first_better, second_better, ties, 1.0};
  const int n = first_better + second_better;
  if (n == 0) return result;
  result.p_value = std::min(1.0, 2.0 * binomial_half_cdf(std::min(first_better, second_better), n));
  return result;
}

}  // namespace popsweep::reports
