// The statistics the reports need: summaries over repeats, Student's t
// distribution, and the corrected resampled t-test of Nadeau and Bengio
// (2003) for comparing two models evaluated on the same cross-validation
// folds. The plain paired t-test is wrong there: the training sets of
// different folds overlap, so the fold scores are not independent and its
// p-values are far too small. Forward-chaining folds (train.split: time) are
// not random resamples at all, so they get the exact sign test instead.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace popsweep::reports {

double mean_of(const std::vector<double>& values);
// Population standard deviation (ddof = 0, numpy's default): the paper's
// "standard deviation between runs".
double population_std(const std::vector<double>& values);
double sample_variance(const std::vector<double>& values);  // ddof = 1

// The regularised incomplete beta function I_x(a, b).
double regularized_incomplete_beta(double a, double b, double x);
// P(T <= t) for Student's t with `degrees_of_freedom`.
double student_t_cdf(double t, double degrees_of_freedom);

struct PairedComparison {
  double mean_difference = 0;  // a - b
  // Empty where the test is undefined: `undefined_because` says why.
  std::optional<double> t_statistic;
  double degrees_of_freedom = 0;
  std::optional<double> p_value;  // two-sided
  std::string undefined_because;
};

// `differences` holds score(a) - score(b) on each of the k x r train/test
// splits; `test_fraction` is n_test / n (1/k for k-fold). The variance is
// inflated by (1/n + n_test/n_train) instead of 1/n.
//
// Where every split shows the same difference (to 1e-12, the rounding of
// accuracies) the sample variance is 0 and t = mean / 0:
//   - a common difference of 0: t = 0 and p = 1. Every split says "no
//     difference"; no test on these numbers could reject that.
//   - any other common difference: t and p are left undefined, with the
//     reason. t would be infinite and p = 0, certainty that the data do not
//     give: the test's normal model has zero spread with probability 0, and
//     accuracies on small validation sets are coarse fractions that often
//     tie exactly. R's t.test refuses such data and scipy returns nan; a
//     tiny p (the smallest double) would read as overwhelming evidence.
// With fewer than 2 splits there is no variance to estimate: undefined too.
PairedComparison corrected_resampled_t_test(const std::vector<double>& differences, double test_fraction);

// P(X <= k) for X ~ Binomial(n, 1/2), summed exactly in log space.
double binomial_half_cdf(int k, int n);

// The exact two-sided sign test over items: `first_better` items where the
// first model did better, `second_better` where the second did (ties are
// dropped). p = min(1, 2 P(X <= min(first_better, second_better))) with
// X ~ Binomial(first_better + second_better, 1/2): scipy's
// binomtest(first_better, n, 0.5). With one prediction per item and model it
// is McNemar's exact test (first_better = b, second_better = c). It assumes
// the items' outcomes are independent given the two trained models, not that
// the folds are random resamples.
struct SignTest {
  int first_better = 0;
  int second_better = 0;
  int ties = 0;
  double p_value = 1;
};
SignTest exact_sign_test(int first_better, int second_better, int ties = 0);

}  // namespace popsweep::reports
