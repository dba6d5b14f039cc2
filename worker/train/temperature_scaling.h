// Temperature scaling (Guo et al. 2017): one scalar T > 0 that divides a
// model's logits, fitted by minimising the negative log-likelihood of held-out
// labels. It rescales how sure the model says it is without changing which
// class it picks (the argmax of logits / T is the argmax of the logits), so
// accuracy stays put while the probabilities become usable as probabilities.
//
// popsweep stores probabilities, not logits; log p is the logit up to a
// constant per item, which softmax ignores, so softmax(log p / T) is the
// tempered prediction. Probabilities are floored at 1e-12 before the log.
#pragma once

#include <vector>

#include "worker/train/metrics.h"

namespace popsweep::train {

constexpr double kMinimumTemperature = 0.05;
constexpr double kMaximumTemperature = 20.0;

// Mean negative log-likelihood of `truth` under softmax(log p / temperature).
double tempered_negative_log_likelihood(const ClassProbabilities& probabilities,
                                        const std::vector<int>& truth, double temperature);

// The T in [kMinimumTemperature, kMaximumTemperature] of least mean NLL. The
// NLL is convex in 1/T, so a golden-section search over 1/T finds it (to
// 1e-9 in 1/T). Throws on no items or mismatched sizes.
double fit_temperature(const ClassProbabilities& probabilities, const std::vector<int>& truth);

ClassProbabilities apply_temperature(const ClassProbabilities& probabilities, double temperature);

}  // namespace popsweep::train
