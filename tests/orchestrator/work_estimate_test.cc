// The sweep's progress counts work (orchestrator/work_estimate.h): the cost
// model by hand, the corrections a sweep learns as jobs finish, and the case
// the issue reported (a long extraction before many short training jobs,
// where jobs per second put the ETA far off).
#include "orchestrator/work_estimate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "orchestrator/progress_display.h"

namespace popsweep::orchestrator {
namespace {

TEST(WorkEstimate, CostModelByHand) {
  const ProfileSize size{100, 10};
  // (100 images x (1 + 2 views) + 10 videos x (15 frames + thumbnail)) / 2 shards = 230 rows,
  // each 0.004 s to decode + 0.012 s of backbone at 224 px.
  const nlohmann::json extract = {{"features", {{"image_size", 224}, {"views", 2}}}, {"shard", 0}, {"shards", 2}};
  EXPECT_NEAR(predicted_job_seconds("extract", extract, size), 230 * 0.016, 1e-9);
  // At 112 px the backbone does a quarter of the work.
  nlohmann::json small = extract;
  small["features"]["image_size"] = 112;
  EXPECT_NEAR(predicted_job_seconds("extract", small, size), 230 * (0.004 + 0.012 / 4), 1e-9);
  // 0.1 s + 10 epochs x 100 images x 4/5 in training x 1.1e-5 s.
  const nlohmann::json image = {{"experiment", "image"}, {"folds", 5}, {"train", {{"epochs", 10}}}};
  EXPECT_NEAR(predicted_job_seconds("train", image, size), 0.1 + 10 * 80 * 1.1e-5, 1e-12);
  // The CNN-RNN learns from the videos, at 1.2e-4 s per sequence and epoch.
  const nlohmann::json video = {{"experiment", "cnn_rnn"}, {"folds", 5}, {"train", {{"epochs", 10}}}};
  EXPECT_NEAR(predicted_job_seconds("train", video, size), 0.1 + 10 * 8 * 1.2e-4, 1e-12);
  EXPECT_EQ(work_group("train", image), "train:image");
  EXPECT_EQ(work_group("extract", extract), "extract");
}

TEST(WorkEstimate, LearnsFromFinishedJobsByGroupThenOverall) {
  WorkEstimate work(2);
  work.add_job(1, "extract", 10, false);
  work.add_job(2, "train:image", 1, false);
  work.add_job(3, "train:image", 1, false);
  work.add_job(4, "train:cnn_rnn", 2, false);
  EXPECT_DOUBLE_EQ(work.eta_seconds(0), 14);  // nothing runs yet: the model alone, one at a time
  work.started(1, 0);
  // Half of the extraction's expected 10 s gone; one worker busy.
  EXPECT_DOUBLE_EQ(work.eta_seconds(5), 5 + 1 + 1 + 2);
  EXPECT_NEAR(work.fraction_done(5), 5.0 / 14, 1e-12);
  // It took 20 s, twice the model: every group without its own figure now
  // expects twice its prediction.
  work.finished(1, 20);
  EXPECT_DOUBLE_EQ(work.eta_seconds(20), 2 + 2 + 4);
  // A training job of the image group took 1 s, as predicted: its peer
  // expects 1 s, the other group the overall ratio (21 s for 11 predicted).
  work.started(2, 20);
  work.finished(2, 21);
  EXPECT_NEAR(work.eta_seconds(21), 1 + 2 * 21.0 / 11, 1e-12);
  // Two workers busy from now on: the rest is shared.
  work.started(3, 21);
  work.started(4, 21);
  EXPECT_NEAR(work.eta_seconds(21), (1 + 2 * 21.0 / 11) / 2, 1e-12);
  work.finished(3, 22);
  work.abandoned(4);
  EXPECT_DOUBLE_EQ(work.eta_seconds(22), 0);
  EXPECT_DOUBLE_EQ(work.fraction_done(22), 1);
}

TEST(WorkEstimate, RecordedSecondsOfAnEarlierRunCalibrateAResumedOne) {
  WorkEstimate work(1);
  work.add_job(1, "train:image", 2, true, 6);  // done before the kill, took 3 times the model
  work.add_job(2, "train:image", 2, false);
  EXPECT_DOUBLE_EQ(work.eta_seconds(0), 6);
  work.requeued(1);  // a done job stays done
  EXPECT_DOUBLE_EQ(work.eta_seconds(0), 6);
}

TEST(WorkEstimate, CheapCoordinatorStagesDoNotSetTheMachineSpeed) {
  WorkEstimate work(1);
  work.add_job(1, "ingest", 1, true, 0.001);  // a thousand times faster than its model: says nothing
  work.add_job(2, "train:image", 1, false);
  work.add_job(3, "train:image", 1, false);
  EXPECT_DOUBLE_EQ(work.eta_seconds(0), 2);
}

TEST(WorkEstimate, AnOverrunningJobRaisesTheEstimateWhileItRuns) {
  WorkEstimate work(1);
  work.add_job(1, "extract", 10, false);
  work.add_job(2, "train:image", 1, false);
  work.add_job(3, "train:image", 1, false);
  work.started(1, 0);
  // 30 s into a job expected to take 10: the machine is at least 3 times
  // slower than the model, so the training jobs are expected to be too.
  EXPECT_DOUBLE_EQ(work.eta_seconds(30), 0 + 3 + 3);
  EXPECT_NEAR(work.fraction_done(30), 0.95 * 10 / 12, 1e-12);
}

// The paper run as reported: a 300 s extraction on one worker while the
// other waits, then 120 training jobs of 1.4 s on two workers; the model
// says 200 s and 1.0 s. After a minute, the job-count ETA (two cheap jobs
// done in 60 s) against the work ETA against the truth.
TEST(WorkEstimate, LongExtractionThenShortTrainingJobs) {
  WorkEstimate work(2);
  work.add_job(1, "ingest", 1, true);
  work.add_job(2, "label", 1, true);
  work.add_job(3, "extract", 200, false);
  for (int i = 0; i < 120; ++i) work.add_job(10 + i, "train:image", 1.0, false);
  work.started(3, 0);
  const double now = 60, truth = (300 - 60) + 120 * 1.4 / 2;
  const double by_jobs = 120 / (2 / now);  // 121 jobs left at 2 jobs per minute... of the 123
  const double by_work = work.eta_seconds(now);
  std::printf("after %.0f s: truth %.0f s left, ETA by jobs %.0f s (%.1fx), by work %.0f s (%.2fx)\n", now, truth,
              by_jobs, by_jobs / truth, by_work, by_work / truth);
  EXPECT_GT(by_jobs / truth, 1.5);  // what the issue saw
  EXPECT_LT(std::max(by_work / truth, truth / by_work), 1.5);
}

// A second slow job of a group after jobs have finished raises its group,
// not the machine: the other groups keep the ratio their peers measured.
TEST(WorkEstimate, AnOverrunAfterJobsFinishedRaisesOnlyItsGroup) {
  WorkEstimate work(1);
  work.add_job(1, "extract", 10, false);
  work.add_job(2, "train:cnn_rnn", 1, false);
  work.add_job(3, "train:cnn_rnn", 1, false);
  work.add_job(4, "train:image", 1, false);
  work.started(1, 0);
  work.finished(1, 10);  // as predicted: the machine runs at the model's speed
  work.started(2, 10);
  // 5 s into a job expected to take 1: its peer is expected to take 5 s too,
  // the image job still 1 s.
  EXPECT_DOUBLE_EQ(work.eta_seconds(15), 0 + 5 + 1);
}

// A real run replayed: bench/eta_truth.sh on experiments/paper.yaml
// (tests/data/work_estimate/paper_run.csv holds each job's start and
// seconds, and the run's end). The ETA the estimate gives at every second
// must stay within 1.5x of the time the run really had left: issue 25 asks
// it from the first minute on; held here from the first second, before any
// job has finished, where the cost model's constants are the whole estimate
// (the constants of the slower code before gave 2.73x there). The job-count
// ETA is printed beside it.
TEST(WorkEstimate, ReplayOfAPaperRunStaysWithinOneAndAHalfOfTheTruth) {
  struct Recorded {
    std::int64_t id;
    std::string stage, experiment;
    double started, seconds;
  };
  std::ifstream file(std::string(POPSWEEP_SOURCE_DIR) + "/tests/data/work_estimate/paper_run.csv");
  ASSERT_TRUE(file.good());
  std::vector<Recorded> jobs;
  double end = 0;
  for (std::string line; std::getline(file, line);) {
    if (line.rfind("# end ", 0) == 0) end = std::stod(line.substr(6));
    if (line.empty() || line[0] == '#' || line.rfind("id,", 0) == 0) continue;
    std::vector<std::string> cells;
    std::stringstream row(line);
    for (std::string cell; std::getline(row, cell, ',');) cells.push_back(cell);
    ASSERT_EQ(cells.size(), 7u) << line;
    jobs.push_back({std::stoll(cells[0]), cells[1], cells[2], std::stod(cells[5]), std::stod(cells[6])});
  }
  ASSERT_EQ(jobs.size(), 128u);
  ASSERT_GT(end, 300);
  const ProfileSize size{1613, 575};  // the paper preset's usable media
  const nlohmann::json features = {{"image_size", 224}, {"views", 4}};
  WorkEstimate work(1);
  for (const Recorded& job : jobs) {
    nlohmann::json params = {{"features", features}};
    if (job.stage == "extract") params["shards"] = 4;
    if (job.stage == "train") params.update({{"experiment", job.experiment}, {"folds", 5}, {"train", {{"epochs", 15}}}});
    work.add_job(job.id, work_group(job.stage, params), predicted_job_seconds(job.stage, params, size), false);
  }
  double worst = 1, worst_at = 0, worst_in_first_minute = 1, worst_by_jobs = 1;
  std::size_t started = 0;
  std::vector<bool> finished(jobs.size(), false);
  for (double now = 0; now < end; now += 1) {
    for (; started < jobs.size() && jobs[started].started <= now; ++started) work.started(jobs[started].id, jobs[started].started);
    int done = 0;
    for (std::size_t i = 0; i < started; ++i) {
      const double at = jobs[i].started + jobs[i].seconds;
      if (!finished[i] && at <= now) {
        work.finished(jobs[i].id, at, jobs[i].seconds);
        finished[i] = true;
      }
      done += finished[i] ? 1 : 0;
    }
    const double truth = end - now;
    if (now < 1 || truth < 10) continue;
    const double eta = work.eta_seconds(now);
    const double factor = std::max(eta / truth, truth / eta);
    if (static_cast<int>(now) % 30 == 0) std::printf("  at %3.0f s: ETA %4.0f s, truth %4.0f s\n", now, eta, truth);
    if (now < 60) {
      worst_in_first_minute = std::max(worst_in_first_minute, factor);
      continue;
    }
    if (factor > worst) {
      worst = factor;
      worst_at = now;
    }
    const double by_jobs = done > 0 ? (jobs.size() - done) / (done / now) : 0;
    if (by_jobs > 0) worst_by_jobs = std::max({worst_by_jobs, by_jobs / truth, truth / by_jobs});
  }
  std::printf("replayed paper run (%.0f s): worst factor between the ETA and the truth in the first minute %.2f, "
              "from the first minute on %.2f (at %.0f s); by jobs per second it would be %.2f\n",
              end, worst_in_first_minute, worst, worst_at, worst_by_jobs);
  EXPECT_LE(worst_in_first_minute, 1.5);
  EXPECT_LE(worst, 1.5);
}

TEST(ProgressDisplay, LineCountsWorkWhenKnown) {
  SchedulerProgress progress;
  progress.total = 10;
  progress.done = 2;
  progress.running = 1;
  progress.elapsed_seconds = 10;
  EXPECT_EQ(ProgressDisplay::format_line(progress, 8), "[=>      ] 2/10 jobs, 1 running, 0.20 jobs/s, ETA 40s");
  progress.work_fraction = 0.5;
  progress.eta_seconds = 90;
  EXPECT_EQ(ProgressDisplay::format_line(progress, 8),
            "[====>   ] 2/10 jobs (50% of the work), 1 running, 0.20 jobs/s, ETA 1m30s");
}

}  // namespace
}  // namespace popsweep::orchestrator
