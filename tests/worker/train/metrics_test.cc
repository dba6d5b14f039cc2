// M19's metrics: hand-checked cases, then scikit-learn 1.2 (Debian's
// /usr/bin/python3) as the reference on random predictions with ties.
#include "worker/train/metrics.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "common/error.h"
#include "tests/support/temp_dir.h"

namespace popsweep::train {
namespace {

TEST(Metrics, HandCheckedAccuracyAndPredictions) {
  const ClassProbabilities probabilities{3, {0.2, 0.5, 0.3, 0.4, 0.4, 0.2, 0.1, 0.1, 0.8, 0.6, 0.3, 0.1}};
  // Ties go to the first maximum, as numpy's argmax.
  EXPECT_EQ(predicted_classes(probabilities), (std::vector<int>{1, 0, 2, 0}));
  EXPECT_DOUBLE_EQ(accuracy({1, 1, 2, 2}, predicted_classes(probabilities)), 0.5);
  // Item 1: true class 1 ties with class 0 at 0.4; sklearn ranks the higher
  // index first, so class 1 is in the top 1. Item 3: class 2 is last.
  EXPECT_DOUBLE_EQ(top_k_accuracy({1, 1, 2, 2}, probabilities, 1), 0.75);
  EXPECT_DOUBLE_EQ(top_k_accuracy({1, 1, 2, 2}, probabilities, 2), 0.75);
  EXPECT_DOUBLE_EQ(top_k_accuracy({1, 1, 2, 2}, probabilities, 3), 1.0);
}

TEST(Metrics, ConfusionMatrixCountsAndRowNormalisation) {
  const ConfusionMatrix matrix = confusion_matrix({0, 0, 0, 1, 2, 2}, {0, 1, 1, 1, 0, 2}, 3);
  EXPECT_EQ(matrix.counts, (std::vector<std::int64_t>{1, 2, 0, 0, 1, 0, 1, 0, 1}));
  const std::vector<double> normalised = matrix.row_normalised();
  EXPECT_DOUBLE_EQ(normalised[0], 1.0 / 3);
  EXPECT_DOUBLE_EQ(normalised[1], 2.0 / 3);
  EXPECT_DOUBLE_EQ(normalised[4], 1.0);
  EXPECT_DOUBLE_EQ(normalised[6], 0.5);
  // A class absent from the truth has a zero row, as sklearn's nan_to_num gives.
  const std::vector<double> missing = confusion_matrix({0, 0}, {0, 1}, 3).row_normalised();
  EXPECT_EQ(missing[3] + missing[4] + missing[5], 0.0);
}

TEST(Metrics, MajorityBaseline) {
  EXPECT_EQ(majority_class({2, 1, 2, 0, 1}), 1);  // tie between 1 and 2: the smaller
  EXPECT_EQ(majority_class({2, 2, 0}), 2);
  EXPECT_DOUBLE_EQ(majority_baseline_accuracy({0, 1, 1}, {1, 0, 1, 1}), 0.75);
}

TEST(Metrics, RejectsEmptyAndMismatchedInputs) {
  EXPECT_THROW(accuracy({}, {}), Error);
  EXPECT_THROW(accuracy({0, 1}, {0}), Error);
  EXPECT_THROW(confusion_matrix({0, 3}, {0, 1}, 2), Error);
  EXPECT_THROW(top_k_accuracy({0}, ClassProbabilities{2, {0.5, 0.5}}, 0), Error);
  EXPECT_THROW(majority_class({}), Error);
}

// Random predictions, rounded to one decimal so ties are common, scored here
// and by sklearn; the script prints one line per (case, metric).
TEST(MetricsAgainstSklearn, RandomPredictionsWithTies) {
  testing::TempDir dir;
  std::ostringstream csv, expected;
  csv.precision(17);
  expected.precision(17);
  std::mt19937_64 generator(20240611);
  int case_id = 0;
  for (const int classes : {2, 3, 4, 5}) {
    for (int repeat = 0; repeat < 3; ++repeat, ++case_id) {
      const int items = 40 + 37 * repeat;
      ClassProbabilities probabilities{classes, {}};
      std::vector<int> truth;
      for (int i = 0; i < items; ++i) {
        truth.push_back(static_cast<int>(generator() % static_cast<std::uint64_t>(classes)));
        if (classes == 2) {  // the trainer's binary rows: [1 - p, p]
          const double p = static_cast<double>(generator() % 11) / 10.0;
          probabilities.values.insert(probabilities.values.end(), {1.0 - p, p});
        }
        for (int c = 0; c < classes && classes > 2; ++c) {
          probabilities.values.push_back(static_cast<double>(generator() % 11) / 10.0);
        }
        csv << case_id << ',' << classes << ',' << truth.back();
        for (int c = 0; c < classes; ++c) csv << ',' << probabilities.at(static_cast<size_t>(i), c);
        csv << '\n';
      }
      const std::vector<int> predicted = predicted_classes(probabilities);
      expected << case_id << " accuracy " << accuracy(truth, predicted) << '\n';
      // Top-k only where it is reported (k < classes, so K >= 3). For K = 2
      // sklearn's binary top-1 is a threshold at 0.5, which, unlike the rank,
      // counts p = 0.5 as class 0; popsweep never reports top-k for K = 2.
      for (int k = 1; k < classes && classes > 2; ++k) {
        expected << case_id << " top" << k << ' ' << top_k_accuracy(truth, probabilities, k) << '\n';
      }
      const ConfusionMatrix matrix = confusion_matrix(truth, predicted, classes);
      expected << case_id << " confusion";
      for (const std::int64_t count : matrix.counts) expected << ' ' << count;
      expected << '\n' << case_id << " normalised";
      for (const double value : matrix.row_normalised()) expected << ' ' << value;
      expected << '\n';
    }
  }
  const std::string data = dir.write("predictions.csv", csv.str());
  const std::string script = dir.write("reference.py", R"PY(
import sys
import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, top_k_accuracy_score
rows = {}
for line in open(sys.argv[1]):
    fields = line.strip().split(',')
    rows.setdefault(int(fields[0]), []).append((int(fields[1]), int(fields[2]), [float(x) for x in fields[3:]]))
for case_id in sorted(rows):
    classes = rows[case_id][0][0]
    truth = np.array([r[1] for r in rows[case_id]])
    scores = np.array([r[2] for r in rows[case_id]])
    predicted = scores.argmax(axis=1)
    labels = list(range(classes))
    print(case_id, "accuracy", "%.17g" % accuracy_score(truth, predicted))
    for k in range(1, classes if classes > 2 else 1):
        print(case_id, "top%d" % k, "%.17g" % top_k_accuracy_score(truth, scores, k=k, labels=labels))
    print(case_id, "confusion", *confusion_matrix(truth, predicted, labels=labels).ravel())
    print(case_id, "normalised", *["%.17g" % v for v in confusion_matrix(truth, predicted, labels=labels, normalize="true").ravel()])
)PY");
  std::string output;
  ASSERT_EQ(testing::run_command("/usr/bin/python3 " + script + " " + data, &output), 0) << output;
  // Compare number by number at 1e-12.
  std::istringstream mine(expected.str()), theirs(output);
  std::string my_line, their_line;
  int lines = 0;
  while (std::getline(mine, my_line)) {
    ASSERT_TRUE(std::getline(theirs, their_line)) << "sklearn stopped before: " << my_line << "\n" << output;
    std::istringstream a(my_line), b(their_line);
    std::string a_case, a_name, b_case, b_name;
    a >> a_case >> a_name;
    b >> b_case >> b_name;
    ASSERT_EQ(a_case + a_name, b_case + b_name) << my_line << " | " << their_line;
    double x = 0, y = 0;
    while (a >> x) {
      ASSERT_TRUE(static_cast<bool>(b >> y)) << my_line << " | " << their_line;
      EXPECT_NEAR(x, y, 1e-12) << my_line << " | " << their_line;
    }
    ++lines;
  }
  EXPECT_GT(lines, 40);
}

}  // namespace
}  // namespace popsweep::train
