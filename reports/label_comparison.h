// Label keys (issue 19): a sweep or search that varies a `labels.*` key
// changes the target, not only the model. Accuracies of different targets are
// not comparable: a window that makes one class rarer raises the accuracy of
// always guessing it. Such points are compared with Cohen's kappa beside the
// accuracy: kappa = (p_o - p_e) / (1 - p_e), where p_o is the accuracy and p_e
// the agreement expected from the true and the predicted class frequencies
// alone. It is 0 for any constant guess and for predictions independent of
// the truth, whatever the balance of the classes, and 1 for perfect ones.
// We chose it over accuracy minus the majority baseline because that baseline
// only discounts the constant guess: a model that predicts the classes in
// their true proportions but at random scores below 0 on it while learning
// nothing, and kappa gives it 0.
//
// Kappa is computed the M19 way: per run (repeat) on the pooled best-epoch
// out-of-fold predictions, then mean ± std (ddof 0) over runs.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "reports/sweep_results.h"
#include "reports/text_table.h"

namespace popsweep::reports {

// nullopt where p_e = 1 (every item of one class, predicted so): kappa is 0/0.
// Matches sklearn.metrics.cohen_kappa_score.
std::optional<double> cohen_kappa(const std::vector<int>& truth, const std::vector<int>& predicted,
                                  int classes);

// Whether the sweep's points differ in a `labels.*` key.
bool varies_label_keys(const SweepResults& results);

struct LabelPointRow {
  const ResultGroup* group = nullptr;
  std::optional<train::MeanAndStd> kappa;  // nullopt: undefined in some run
};
std::vector<LabelPointRow> label_point_rows(const SweepResults& results);

// Empty unless varies_label_keys.
std::vector<TextTable> label_comparison_tables(const SweepResults& results);
nlohmann::json label_comparison_json(const SweepResults& results);

}  // namespace popsweep::reports
