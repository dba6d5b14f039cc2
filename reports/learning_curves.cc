#include "reports/learning_curves.h"

#include <map>

namespace popsweep::reports {
namespace {

// The values of one epoch, gathered over the jobs that reached it.
struct EpochValues {
  std::vector<double> train_accuracy;
  std::vector<double> val_accuracy;
  std::vector<double> train_loss;
  std::vector<double> val_loss;
};

}  // namespace

std::vector<LearningCurvePoint> mean_learning_curve(
    const std::vector<std::vector<storage::EpochRow>>& histories) {
  // Keyed by the recorded epoch number rather than the position, so a
  // history with a gap (a resumed job) still lines up with the others.
  std::map<int, EpochValues> by_epoch;
  for (const std::vector<storage::EpochRow>& history : histories) {
    for (const storage::EpochRow& row : history) {
      EpochValues& values = by_epoch[row.epoch];
      values.train_accuracy.push_back(row.train_accuracy);
      values.val_accuracy.push_back(row.val_accuracy);
      values.train_loss.push_back(row.train_loss);
      values.val_loss.push_back(row.val_loss);
    }
  }
  std::vector<LearningCurvePoint> curve;
  for (const auto& [epoch, values] : by_epoch) {
    LearningCurvePoint point;
    point.epoch = epoch;
    point.jobs = static_cast<int>(values.val_accuracy.size());
    point.train_accuracy = train::mean_and_population_std(values.train_accuracy);
    point.val_accuracy = train::mean_and_population_std(values.val_accuracy);
    point.train_loss = train::mean_and_population_std(values.train_loss);
    point.val_loss = train::mean_and_population_std(values.val_loss);
    curve.push_back(point);
  }
  return curve;
}

}  // namespace popsweep::reports
