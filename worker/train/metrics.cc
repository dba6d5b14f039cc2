#include "worker/train/metrics.h"

#include <string>

#include "common/error.h"

namespace popsweep::train {
namespace {

void check_same_size(std::size_t truth, std::size_t other, const char* what) {
  if (truth == 0) throw Error(std::string(what) + ": no items");
  if (truth != other) {
    throw Error(std::string(what) + ": " + std::to_string(truth) + " true classes but " + std::to_string(other) +
                " predictions");
  }
}

void check_class(int value, int classes, const char* what) {
  if (value < 0 || value >= classes) {
    throw Error(std::string(what) + ": class " + std::to_string(value) + " outside 0.." + std::to_string(classes - 1));
  }
}

}  // namespace

std::vector<int> predicted_classes(const ClassProbabilities& probabilities) {
  std::vector<int> predicted(probabilities.items());
  for (std::size_t i = 0; i < predicted.size(); ++i) {
    int best = 0;
    for (int c = 1; c < probabilities.classes; ++c) {
      if (probabilities.at(i, c) > probabilities.at(i, best)) best = c;
    }
    predicted[i] = best;
  }
  return predicted;
}

double accuracy(const std::vector<int>& true_classes, const std::vector<int>& predicted) {
  check_same_size(true_classes.size(), predicted.size(), "accuracy");
  std::size_t correct = 0;
  for (std::size_t i = 0; i < true_classes.size(); ++i) correct += true_classes[i] == predicted[i];
  return static_cast<double>(correct) / static_cast<double>(true_classes.size());
}

double top_k_accuracy(const std::vector<int>& true_classes, const ClassProbabilities& probabilities, int k) {
  check_same_size(true_classes.size(), probabilities.items(), "top-k accuracy");
  if (k < 1) throw Error("top-k accuracy: k must be at least 1, got " + std::to_string(k));
  std::size_t correct = 0;
  for (std::size_t i = 0; i < true_classes.size(); ++i) {
    const int truth = true_classes[i];
    check_class(truth, probabilities.classes, "top-k accuracy");
    const double p = probabilities.at(i, truth);
    int ranked_above = 0;
    for (int c = 0; c < probabilities.classes; ++c) {
      const double q = probabilities.at(i, c);
      ranked_above += q > p || (q == p && c > truth);
    }
    correct += ranked_above < k;
  }
  return static_cast<double>(correct) / static_cast<double>(true_classes.size());
}

std::vector<double> ConfusionMatrix::row_normalised() const {
  std::vector<double> normalised(counts.size(), 0.0);
  for (int row = 0; row < classes; ++row) {
    std::int64_t total = 0;
    for (int col = 0; col < classes; ++col) total += count(row, col);
    if (total == 0) continue;
    for (int col = 0; col < classes; ++col) {
      normalised[static_cast<std::size_t>(row * classes + col)] =
          static_cast<double>(count(row, col)) / static_cast<double>(total);
    }
  }
  return normalised;
}

ConfusionMatrix confusion_matrix(const std::vector<int>& true_classes, const std::vector<int>& predicted, int classes) {
  check_same_size(true_classes.size(), predicted.size(), "confusion matrix");
  ConfusionMatrix matrix;
  matrix.classes = classes;
  matrix.counts.assign(static_cast<std::size_t>(classes * classes), 0);
  for (std::size_t i = 0; i < true_classes.size(); ++i) {
    check_class(true_classes[i], classes, "confusion matrix");
    check_class(predicted[i], classes, "confusion matrix");
    ++matrix.counts[static_cast<std::size_t>(true_classes[i] * classes + predicted[i])];
  }
  return matrix;
}

int majority_class(const std::vector<int>& training_classes) {
  if (training_classes.empty()) throw Error("majority class: no training labels");
  std::vector<std::size_t> frequency;
  for (const int c : training_classes) {
    if (c < 0) throw Error("majority class: negative class " + std::to_string(c));
    if (static_cast<std::size_t>(c) >= frequency.size()) frequency.resize(static_cast<std::size_t>(c) + 1, 0);
    ++frequency[static_cast<std::size_t>(c)];
  }
  int best = 0;
  for (std::size_t c = 1; c < frequency.size(); ++c) {
    if (frequency[c] > frequency[static_cast<std::size_t>(best)]) best = static_cast<int>(c);
  }
  return best;
}

double majority_baseline_accuracy(const std::vector<int>& training_classes, const std::vector<int>& validation_classes) {
  const int majority = majority_class(training_classes);
  return accuracy(validation_classes, std::vector<int>(validation_classes.size(), majority));
}

}  // namespace popsweep::train
