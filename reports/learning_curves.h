// The mean learning curve of a group of training jobs (M19's repeats x
// folds): per epoch, the mean and the population std over the jobs of the
// training and validation accuracy and loss. Early stopping leaves jobs with
// different lengths, so each epoch averages the jobs that reached it and says
// how many those were; a tail carried by one job has no spread to show.
#pragma once

#include <vector>

#include "storage/result_tables.h"
#include "worker/train/aggregation.h"

namespace popsweep::reports {

struct LearningCurvePoint {
  int epoch = 0;
  int jobs = 0;  // how many jobs reached this epoch
  train::MeanAndStd train_accuracy;
  train::MeanAndStd val_accuracy;
  train::MeanAndStd train_loss;
  train::MeanAndStd val_loss;
};

// One history per job; the result is ordered by epoch.
std::vector<LearningCurvePoint> mean_learning_curve(
    const std::vector<std::vector<storage::EpochRow>>& histories);

}  // namespace popsweep::reports
