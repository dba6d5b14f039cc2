#include "reports/sweep_results.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "common/error.h"
#include "reports/paired_comparisons.h"
#include "storage/database.h"

namespace popsweep::reports {
namespace {

// (point, experiment, classes)
using GroupKey = std::tuple<std::string, std::string, int>;

struct GroupKeyOrder {
  bool operator()(const GroupKey& a, const GroupKey& b) const {
    if (std::get<0>(a) != std::get<0>(b)) return std::get<0>(a) < std::get<0>(b);
    if (std::get<1>(a) != std::get<1>(b)) return experiment_before(std::get<1>(a), std::get<1>(b));
    return std::get<2>(a) > std::get<2>(b);  // the paper puts 3 classes before 2
  }
};

int experiment_rank(const std::string& experiment) {
  static const std::vector<std::string> paper_order{"image", "cnn_rnn", "image_to_video", "video_to_image"};
  const auto found = std::find(paper_order.begin(), paper_order.end(), experiment);
  return static_cast<int>(found - paper_order.begin());
}

train::JobPredictions job_predictions(const storage::TrainResultRow& result, std::vector<int> true_classes,
                                      const std::vector<float>& probabilities) {
  train::JobPredictions job;
  job.repeat = result.repeat;
  job.fold = result.fold;
  job.training_majority_class = result.training_majority_class;
  job.probabilities.classes = result.classes;
  job.true_classes = std::move(true_classes);
  job.probabilities.values.assign(probabilities.begin(), probabilities.end());
  return job;
}

// Post indices by media id: the unit the bootstrap draws (a post's media
// share one popularity, so they are not independent items).
using PostOfMedia = std::map<std::int64_t, std::int64_t>;

PostOfMedia posts_of_media(storage::Database& db) {
  std::map<std::string, std::int64_t> post_index;
  PostOfMedia posts;
  if (!storage::find_profile(db)) return posts;  // results without a profile: each item its own post
  for (const storage::MediaOfPost& item : storage::load_media_of_posts(db, true)) {
    posts[item.media_id] =
        post_index.emplace(item.post_key, static_cast<std::int64_t>(post_index.size())).first->second;
  }
  return posts;
}

TrainedJob load_trained_job(storage::ResultReader& reader, const storage::TrainResultRow& result,
                            const std::string& params, const PostOfMedia& posts) {
  storage::PredictionColumns predictions = reader.predictions(result.job_id, result.classes);
  if (predictions.wrong_count) {
    throw Error(fmt::format("job {}: media {} has {} probabilities for {} classes", result.job_id,
                            predictions.wrong_count->first, predictions.wrong_count->second, result.classes));
  }
  TrainedJob job;
  job.result = result;
  job.params = nlohmann::json::parse(params, nullptr, false);
  if (!job.params.is_object()) job.params = nlohmann::json::object();
  job.predicted_media = std::move(predictions.media_ids);
  for (const std::int64_t media : job.predicted_media) {
    const auto post = posts.find(media);
    job.predicted_posts.push_back(post != posts.end() ? post->second : -1 - media);
  }
  job.validation_media = job.predicted_media;
  std::sort(job.validation_media.begin(), job.validation_media.end());
  job.best = job_predictions(result, predictions.true_classes, predictions.best);
  job.last = job_predictions(result, std::move(predictions.true_classes), predictions.last);
  return job;
}

ResultGroup score_group(storage::ResultReader& reader, const GroupKey& key, std::vector<TrainedJob> jobs,
                        int draws) {
  ResultGroup group;
  std::tie(group.point, group.experiment, group.classes) = key;
  std::vector<train::JobPredictions> best, last;
  std::set<int> folds;
  std::vector<std::vector<storage::EpochRow>> histories;
  for (const TrainedJob& job : jobs) {
    best.push_back(job.best);
    last.push_back(job.last);
    folds.insert(job.result.fold);
    histories.push_back(reader.epochs(job.result.job_id));
  }
  group.folds = static_cast<int>(folds.size());
  if (!jobs.empty()) group.split = split_of(jobs.front().params);
  try {
    group.best = train::aggregate_runs(best);
    group.last = train::aggregate_runs(last);
  } catch (const Error& error) {
    // aggregate_runs knows repeats and folds, not which group it was given.
    throw Error(fmt::format("sweep point {}, experiment {}, {} classes: {}", group.point, group.experiment,
                            group.classes, error.what()));
  }
  group.learning_curve = mean_learning_curve(histories);
  group.uncertainty = estimate_uncertainty(jobs, draws, draws);
  std::vector<const train::JobPredictions*> best_of_jobs, last_of_jobs;
  for (const TrainedJob& job : jobs) best_of_jobs.push_back(&job.best), last_of_jobs.push_back(&job.last);
  group.calibration_best = calibration_of(best_of_jobs);
  group.calibration_last = calibration_of(last_of_jobs);
  group.jobs = std::move(jobs);
  return group;
}

std::vector<storage::JobRow> unfinished_jobs(std::vector<storage::JobRow> jobs) {
  jobs.erase(std::remove_if(jobs.begin(), jobs.end(),
                            [](const storage::JobRow& job) {
                              return job.status == storage::JobStatus::Done ||
                                     job.status == storage::JobStatus::Pruned;
                            }),
             jobs.end());
  return jobs;
}

}  // namespace

std::string split_of(const nlohmann::json& params) {
  const auto found = params.find("split");
  return found != params.end() && found->is_string() ? found->get<std::string>() : "media";
}

bool experiment_before(const std::string& a, const std::string& b) {
  const int rank_a = experiment_rank(a), rank_b = experiment_rank(b);
  return rank_a != rank_b ? rank_a < rank_b : a < b;
}

SweepResults load_sweep_results(storage::Database& db, const storage::SweepRow& sweep, int draws,
                                bool with_pruned) {
  SweepResults results;
  results.sweep = sweep;
  const std::map<std::int64_t, std::string> points = storage::load_sweep_points(db, sweep.id);
  const std::vector<storage::JobRow> sweep_jobs = storage::load_sweep_jobs(db, sweep.id);
  std::map<std::int64_t, const storage::JobRow*> job_rows;
  for (const storage::JobRow& job : sweep_jobs) job_rows[job.id] = &job;
  std::map<GroupKey, std::vector<TrainedJob>, GroupKeyOrder> jobs_by_group;
  storage::ResultReader reader(db);
  const PostOfMedia posts = posts_of_media(db);
  for (const storage::TrainResultRow& result : storage::load_train_results(db, sweep.id, with_pruned)) {
    const auto point = points.find(result.job_id);
    const std::string point_text = point == points.end() || point->second.empty() ? "{}" : point->second;
    const auto row = job_rows.find(result.job_id);
    jobs_by_group[GroupKey{point_text, result.experiment, result.classes}].push_back(
        load_trained_job(reader, result, row == job_rows.end() ? "{}" : row->second->params, posts));
  }
  std::int64_t predictions = 0;
  for (const auto& [key, jobs] : jobs_by_group) {
    for (const TrainedJob& job : jobs) predictions += static_cast<std::int64_t>(job.predicted_media.size());
  }
  draws = uncertainty_draws(predictions, draws);
  for (auto& [key, jobs] : jobs_by_group) {
    results.groups.push_back(score_group(reader, key, std::move(jobs), draws));
    ResultGroup& group = results.groups.back();
    group.calibration = calibration_setting(sweep, group.point);
    if (group.calibration == "temperature") group.tempered = temper_out_of_fold(group);
  }
  results.comparisons = compare_paired_experiments(results.groups);
  results.unfinished_jobs = unfinished_jobs(sweep_jobs);
  for (const storage::JobRow& job : sweep_jobs) {
    if (job.stage == "train") results.train_jobs.push_back(job);
  }
  results.media_problems = storage::load_media_problems(db);
  results.paper_by_point = paper_references(results);
  return results;
}

}  // namespace popsweep::reports
