#include "worker/train/temperature_scaling.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "common/error.h"

namespace popsweep::train {
namespace {

constexpr double kProbabilityFloor = 1e-12;

// log softmax(log p / T) of one item, written into `out` (one per class).
void tempered_log_probabilities(const ClassProbabilities& probabilities, std::size_t item,
                                double inverse_temperature, std::vector<double>& out) {
  out.resize(static_cast<std::size_t>(probabilities.classes));
  double largest = -INFINITY;
  for (int c = 0; c < probabilities.classes; ++c) {
    out[static_cast<std::size_t>(c)] =
        std::log(std::max(probabilities.at(item, c), kProbabilityFloor)) * inverse_temperature;
    largest = std::max(largest, out[static_cast<std::size_t>(c)]);
  }
  double sum = 0;
  for (const double value : out) sum += std::exp(value - largest);
  const double log_normaliser = largest + std::log(sum);
  for (double& value : out) value -= log_normaliser;
}

}  // namespace

double tempered_negative_log_likelihood(const ClassProbabilities& probabilities,
                                        const std::vector<int>& truth, double temperature) {
  if (truth.empty() || truth.size() != probabilities.items()) {
    throw Error("temperature: " + std::to_string(truth.size()) + " labels for " +
                std::to_string(probabilities.items()) + " predictions");
  }
  std::vector<double> log_probabilities;
  double sum = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    tempered_log_probabilities(probabilities, i, 1.0 / temperature, log_probabilities);
    sum -= log_probabilities[static_cast<std::size_t>(truth[i])];
  }
  return sum / static_cast<double>(truth.size());
}

double fit_temperature(const ClassProbabilities& probabilities, const std::vector<int>& truth) {
  const double golden = (std::sqrt(5.0) - 1) / 2;
  double low = 1 / kMaximumTemperature, high = 1 / kMinimumTemperature;
  auto loss = [&](double inverse) {
    return tempered_negative_log_likelihood(probabilities, truth, 1 / inverse);
  };
  double a = high - golden * (high - low), b = low + golden * (high - low);
  double loss_a = loss(a), loss_b = loss(b);
  while (high - low > 1e-9) {
    if (loss_a <= loss_b) {
      high = b, b = a, loss_b = loss_a;
      a = high - golden * (high - low), loss_a = loss(a);
    } else {
      low = a, a = b, loss_a = loss_b;
      b = low + golden * (high - low), loss_b = loss(b);
    }
  }
  return 1 / ((low + high) / 2);
}

ClassProbabilities apply_temperature(const ClassProbabilities& probabilities, double temperature) {
  ClassProbabilities tempered{probabilities.classes, {}};
  tempered.values.reserve(probabilities.values.size());
  std::vector<double> log_probabilities;
  for (std::size_t i = 0; i < probabilities.items(); ++i) {
    tempered_log_probabilities(probabilities, i, 1.0 / temperature, log_probabilities);
    for (const double value : log_probabilities) tempered.values.push_back(std::exp(value));
  }
  return tempered;
}

}  // namespace popsweep::train
