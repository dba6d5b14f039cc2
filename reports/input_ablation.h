// The input ablation of issue 18: how much of a post's popularity the
// picture explains and how much when and how it was posted. A sweep over
// `train.inputs` (visual, context, visual+context) trains the same heads on
// each input set with the same folds; for every other sweep point,
// experiment and number of classes this compares the input sets pair by pair
// with the paired test of the split protocol (paired_comparisons.h) and says
// in plain words which set wins.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "reports/sweep_results.h"
#include "reports/text_table.h"

namespace popsweep::reports {

inline constexpr const char* kInputsKey = "train.inputs";

// What the section's numbers are and are not, printed under its tables.
inline constexpr const char* kInputAblationNote =
    "Each input set trains the same heads on the same folds (visual: the backbone's features, the paper's "
    "model; context: only the post's context vector, a baseline without pixels; visual+context: both). "
    "\"Highest\" is the higher best-epoch mean, which selects the epoch on the validation folds and so "
    "flatters every input set alike; only the paired test says whether a difference is more than the "
    "folds' noise (p < 0.05 reads as a win).";

struct InputAblation {
  std::string point;  // the other swept values as JSON, train.inputs left out
  std::string experiment;
  int classes = 0;
  std::string split;
  // Input set -> its group, in the order visual, context, visual+context
  // (then any other value, alphabetically). Points into SweepResults.groups.
  std::vector<std::pair<std::string, const ResultGroup*>> by_inputs;
  // Every pair of input sets that could be paired; first/second name the
  // input sets, first in the order above.
  std::vector<ExperimentComparison> comparisons;
  // The input set with the highest best-epoch mean accuracy (ties: the
  // earlier in the order above), and what the tests say about it.
  std::string winner;
  std::string verdict;
};

// Empty unless the sweep varies train.inputs; a group of one input set with
// no counterpart at the same point is left out.
std::vector<InputAblation> input_ablations(const SweepResults& results);

// One row per (point, experiment, classes) with each input set's best-epoch
// mean ± std and the winner.
TextTable input_ablation_table(const std::vector<InputAblation>& ablations);
// One row per pair of input sets compared.
TextTable input_ablation_tests_table(const std::vector<InputAblation>& ablations);

}  // namespace popsweep::reports
