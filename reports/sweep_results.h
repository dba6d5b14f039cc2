// A sweep's training results gathered for the report: the jobs of each
// (sweep point, experiment, classes) group scored the M19 way (aggregate_runs
// over repeats of pooled folds) at the best and at the last epoch, with the
// group's mean learning curve; the paired comparisons of experiments that
// were validated on the same items; and what did not go well (jobs not done,
// media a stage skipped), so a reader sees what the numbers leave out.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "reports/accuracy_intervals.h"
#include "reports/calibration.h"
#include "reports/learning_curves.h"
#include "reports/paper_reference.h"
#include "reports/statistics.h"
#include "reports/temperature_calibration.h"
#include "storage/job_tables.h"
#include "storage/profile_tables.h"
#include "storage/result_tables.h"
#include "worker/train/aggregation.h"

namespace popsweep::storage {
class Database;
}

namespace popsweep::reports {

// One finished training job (one repeat x fold of a group).
struct TrainedJob {
  storage::TrainResultRow result;
  nlohmann::json params;                        // the job's parameters ({} when unknown)
  std::vector<std::int64_t> validation_media;   // sorted, to compare folds across experiments
  std::vector<std::int64_t> predicted_media;    // in the order of best and last
  // The post of each predicted item (an index shared by a post's media; a
  // media item the database no longer knows stands for itself).
  std::vector<std::int64_t> predicted_posts;
  train::JobPredictions best;                   // best-epoch probabilities
  train::JobPredictions last;                   // last-epoch probabilities
};

// The split protocol a training job ran under: its params' "split", absent
// for `media` (the paper's protocol, and every job of older databases).
std::string split_of(const nlohmann::json& params);

struct ResultGroup {
  std::string point;  // the swept values as JSON ("{}" when nothing is swept)
  std::string experiment;
  int classes = 0;
  std::string split = "media";  // train.split of its jobs: media, post or time
  int folds = 0;  // distinct folds among the jobs; 1/folds is the test fraction
  std::vector<TrainedJob> jobs;
  train::ExperimentScore best;
  train::ExperimentScore last;
  std::vector<LearningCurvePoint> learning_curve;
  GroupUncertainty uncertainty;         // bootstrap intervals and the permutation p-value
  CalibrationSummary calibration_best;  // pooled out-of-fold probabilities
  CalibrationSummary calibration_last;
  std::string calibration = "none";             // train.calibration of the group's point
  std::optional<TemperedCalibration> tempered;  // with calibration "temperature"
};

// Two experiments of one point and number of classes, scored on the same
// validation items per (repeat, fold); differences are first - second. The
// test fits the split: the corrected resampled t-test over (repeat, fold)
// splits for random folds (media, post), the exact sign test over items for
// forward chaining (time), never both.
struct ExperimentComparison {
  std::string point;
  int classes = 0;
  std::string split = "media";
  std::string first;
  std::string second;
  int splits = 0;   // (repeat, fold) pairs compared
  int items = 0;    // distinct validated items compared
  double mean_difference = 0;             // best-epoch accuracy, first - second
  std::optional<PairedComparison> t_test;  // media, post
  std::optional<SignTest> sign_test;       // time
};

struct SweepResults {
  storage::SweepRow sweep;
  std::vector<ResultGroup> groups;  // by point, then experiment (paper order), then classes (descending)
  // A pruned search's groups below its last rung, set apart by set_aside_lower_rungs (search_summary.h):
  // they trained fewer epochs than the trials they would be compared with.
  std::vector<ResultGroup> lower_rung_groups;
  std::vector<ExperimentComparison> comparisons;
  std::vector<storage::JobRow> unfinished_jobs;  // any stage, status other than done or pruned
  std::vector<storage::JobRow> train_jobs;       // every training job, any status (a search's pruning budget)
  std::vector<storage::MediaProblem> media_problems;
  std::map<std::string, PaperReference> paper_by_point;  // the paper's numbers beside each point, or why not
};

// `draws`: bootstrap resamples and permutations per group (uncertainty_draws:
// -1 chooses by the sweep's size, 0 computes no intervals). `with_pruned`:
// also the groups of jobs a search's pruner stopped (all below its last
// rung: the report lists them apart, set_aside_lower_rungs).
SweepResults load_sweep_results(storage::Database& db, const storage::SweepRow& sweep, int draws = -1,
                                bool with_pruned = false);

// The paper's order (M14-M17), unknown experiments after them by name; used
// by every table so rows line up between report.md, report.html and the CSV.
bool experiment_before(const std::string& a, const std::string& b);

}  // namespace popsweep::reports
