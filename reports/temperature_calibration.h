// train.calibration: temperature, scored honestly. A group's stored
// out-of-fold probabilities are tempered job by job, each job (repeat r,
// fold f) with a temperature fitted on the out-of-fold predictions of the
// other folds of repeat r: items that are all in f's training folds, scored
// by models that never trained on them. The fold a job is scored on never
// enters its own temperature. Tempering keeps each item's most probable
// class, so accuracy moves only through exact ties.
//
// For `predict` the point's models share one temperature, fitted on every
// out-of-fold prediction of their group (none of them is the candidate).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "reports/calibration.h"
#include "worker/train/aggregation.h"

namespace popsweep::storage {
struct SweepRow;
}

namespace popsweep::reports {

struct ResultGroup;

struct TemperedCalibration {
  std::vector<double> temperatures_best;  // per job of the group, in the group's order
  std::vector<double> temperatures_last;
  CalibrationSummary best;
  CalibrationSummary last;
  train::MeanAndStd accuracy_best;  // M19 accuracy of the tempered probabilities
  train::MeanAndStd accuracy_last;
};

// Needs at least two folds per repeat (a one-fold repeat has nothing else to
// fit on): nullopt otherwise.
std::optional<TemperedCalibration> temper_out_of_fold(const ResultGroup& group);

// The temperature `predict` applies to a group's best-epoch models.
double ensemble_temperature(const ResultGroup& group);

// train.calibration of a group: the group's point when it sweeps the key,
// else the sweep's spec (every point carries the key once it is not `none`).
std::string calibration_setting(const storage::SweepRow& sweep, const std::string& point);

}  // namespace popsweep::reports
