// M19's classification metrics on plain vectors, so reports can use them
// without LibTorch. Conventions follow scikit-learn 1.2, against which the
// tests check them: the predicted class is the first maximum of a row (numpy's
// argmax), top-k ranks ties as sklearn's top_k_accuracy_score does, and a row
// of the row-normalised confusion matrix with no items is all zeros.
#pragma once

#include <cstdint>
#include <vector>

namespace popsweep::train {

// Class probabilities of `items()` items, row-major [items x classes]. For two
// classes the trainer stores [1 - p, p], p being the sigmoid output.
struct ClassProbabilities {
  int classes = 0;
  std::vector<double> values;

  std::size_t items() const { return classes > 0 ? values.size() / static_cast<std::size_t>(classes) : 0; }
  double at(std::size_t item, int class_index) const {
    return values[item * static_cast<std::size_t>(classes) + static_cast<std::size_t>(class_index)];
  }
};

// The first class of highest probability, per item.
std::vector<int> predicted_classes(const ClassProbabilities& probabilities);

// Fraction of items whose prediction equals the truth. Throws on empty or
// mismatched inputs.
double accuracy(const std::vector<int>& true_classes, const std::vector<int>& predicted);

// Fraction of items whose true class is among the k most probable. Among equal
// probabilities the higher class index ranks first (sklearn's reversed stable
// argsort).
double top_k_accuracy(const std::vector<int>& true_classes, const ClassProbabilities& probabilities, int k);

// Rows are true classes, columns predicted classes.
struct ConfusionMatrix {
  int classes = 0;
  std::vector<std::int64_t> counts;  // row-major [classes x classes]

  std::int64_t count(int true_class, int predicted_class) const {
    return counts[static_cast<std::size_t>(true_class * classes + predicted_class)];
  }
  // Each row divided by its total (the recall of each class on the diagonal).
  std::vector<double> row_normalised() const;
};
ConfusionMatrix confusion_matrix(const std::vector<int>& true_classes, const std::vector<int>& predicted, int classes);

// The most frequent class of the training labels (the smallest on ties), and
// the accuracy of always predicting it on the validation labels: the baseline
// a model must beat.
int majority_class(const std::vector<int>& training_classes);
double majority_baseline_accuracy(const std::vector<int>& training_classes, const std::vector<int>& validation_classes);

}  // namespace popsweep::train
