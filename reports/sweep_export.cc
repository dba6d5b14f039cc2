#include "reports/sweep_export.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "common/csv.h"
#include "common/error.h"
#include "common/file_util.h"
#include "common/time_format.h"
#include "reports/results_tables.h"
#include "reports/sweep_results.h"
#include "reports/sweep_selection.h"
#include "storage/database.h"
#include "storage/job_tables.h"
#include "storage/profile_tables.h"
#include "storage/result_tables.h"
#include "storage/temperature_tables.h"

namespace popsweep::reports {
namespace {

constexpr const char* kParamPrefix = "param.";

void refuse_unless_empty(const std::string& out_dir, bool force) {
  std::error_code error;
  if (!std::filesystem::exists(out_dir, error)) return;
  if (!std::filesystem::is_directory(out_dir, error)) {
    throw ConfigError("--out: " + out_dir + " exists and is not a folder");
  }
  if (!force && !std::filesystem::is_empty(out_dir, error)) {
    throw ConfigError(
        "--out: " + out_dir +
        " exists and is not empty; choose another folder, or pass --force to replace the export's "
        "files there");
  }
}

// Nested objects become dotted names ("train.lr"); arrays stay JSON text, so
// one cell holds one parameter however it is shaped.
void flatten_params(const nlohmann::json& value, const std::string& prefix,
                    std::map<std::string, std::string>& out) {
  if (value.is_object() && !value.empty()) {
    for (const auto& [key, child] : value.items())
      flatten_params(child, prefix.empty() ? key : prefix + "." + key, out);
    return;
  }
  if (prefix.empty()) return;
  if (value.is_string()) {
    out[prefix] = value.get<std::string>();
  } else if (!value.is_null()) {
    out[prefix] = value.dump();
  } else {
    out[prefix] = "";
  }
}

std::string number(double value) { return fmt::format("{}", value); }

std::string optional_number(const std::optional<double>& value) { return value ? number(*value) : ""; }

std::string jobs_csv(const std::vector<storage::JobRow>& jobs,
                     const std::map<std::int64_t, std::string>& points,
                     const std::map<std::int64_t, const storage::TrainResultRow*>& results) {
  std::vector<std::map<std::string, std::string>> params(jobs.size());
  std::set<std::string> param_names;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const nlohmann::json parsed = nlohmann::json::parse(jobs[i].params, nullptr, false);
    if (!parsed.is_discarded()) flatten_params(parsed, "", params[i]);
    for (const auto& entry : params[i]) param_names.insert(entry.first);
  }
  std::vector<std::string> header{"job_id",
                                  "job_key",
                                  "stage",
                                  "status",
                                  "seed",
                                  "attempts",
                                  "seconds",
                                  "error",
                                  "point",
                                  "experiment",
                                  "classes",
                                  "fold",
                                  "repeat",
                                  "best_epoch",
                                  "epochs_run",
                                  "accuracy_best",
                                  "accuracy_last",
                                  "top2_best",
                                  "top2_last",
                                  "majority_baseline",
                                  "training_majority_class",
                                  "train_items",
                                  "val_items"};
  for (const std::string& name : param_names) header.push_back(kParamPrefix + name);
  std::ostringstream out;
  write_csv_row(out, header);
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const storage::JobRow& job = jobs[i];
    const auto point = points.find(job.id);
    std::vector<std::string> row{std::to_string(job.id),
                                 job.key,
                                 job.stage,
                                 storage::to_string(job.status),
                                 std::to_string(job.seed),
                                 std::to_string(job.attempts),
                                 optional_number(job.seconds),
                                 job.error,
                                 point == points.end() ? "" : point->second};
    const auto found = results.find(job.id);
    if (found != results.end()) {
      const storage::TrainResultRow& r = *found->second;
      for (const std::string& cell :
           {r.experiment, std::to_string(r.classes), std::to_string(r.fold), std::to_string(r.repeat),
            std::to_string(r.best_epoch), std::to_string(r.epochs_run), number(r.accuracy_best),
            number(r.accuracy_last), optional_number(r.top2_best), optional_number(r.top2_last),
            number(r.majority_baseline), std::to_string(r.training_majority_class),
            std::to_string(r.train_items), std::to_string(r.val_items)}) {
        row.push_back(cell);
      }
    } else {
      row.resize(row.size() + 14);
    }
    for (const std::string& name : param_names) {
      const auto value = params[i].find(name);
      row.push_back(value == params[i].end() ? "" : value->second);
    }
    write_csv_row(out, row);
  }
  return out.str();
}

std::string epochs_csv(storage::ResultReader& reader, const SweepResults& results) {
  std::ostringstream out;
  write_csv_row(out, {"job_id", "epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy"});
  for (const ResultGroup& group : results.groups) {
    for (const TrainedJob& job : group.jobs) {
      for (const storage::EpochRow& epoch : reader.epochs(job.result.job_id)) {
        write_csv_row(
            out, {std::to_string(job.result.job_id), std::to_string(epoch.epoch), number(epoch.train_loss),
                  number(epoch.train_accuracy), number(epoch.val_loss), number(epoch.val_accuracy)});
      }
    }
  }
  return out.str();
}

int most_classes(const SweepResults& results) {
  int classes = 0;
  for (const ResultGroup& group : results.groups) classes = std::max(classes, group.classes);
  return classes;
}

// Probability columns run to the largest K of the sweep; a job with fewer
// classes leaves the rest empty.
std::string predictions_csv(const SweepResults& results,
                            const std::map<std::int64_t, storage::MediaOfPost>& media, std::size_t& rows) {
  const int classes = most_classes(results);
  std::vector<std::string> header{"job_id",     "point",          "experiment",    "classes",
                                  "split",      "repeat",         "fold",          "media_id",
                                  "post",       "media_type",     "posted_at",     "posted_at_utc",
                                  "true_class", "predicted_best", "predicted_last"};
  for (const char* epoch : {"best", "last"}) {
    for (int c = 0; c < classes; ++c) header.push_back(fmt::format("probability_{}_{}", epoch, c));
  }
  std::ostringstream out;
  write_csv_row(out, header);
  for (const ResultGroup& group : results.groups) {
    for (const TrainedJob& job : group.jobs) {
      const std::vector<int> predicted_best = train::predicted_classes(job.best.probabilities);
      const std::vector<int> predicted_last = train::predicted_classes(job.last.probabilities);
      for (std::size_t i = 0; i < job.predicted_media.size(); ++i) {
        const std::int64_t media_id = job.predicted_media[i];
        const auto item = media.find(media_id);
        const bool known = item != media.end();
        std::vector<std::string> row{std::to_string(job.result.job_id),
                                     group.point,
                                     group.experiment,
                                     std::to_string(group.classes),
                                     group.split,
                                     std::to_string(job.result.repeat),
                                     std::to_string(job.result.fold),
                                     std::to_string(media_id),
                                     known ? item->second.post_key : "",
                                     known ? item->second.media_type : "",
                                     known ? std::to_string(item->second.posted_at) : "",
                                     known ? format_iso8601(item->second.posted_at) : "",
                                     std::to_string(job.best.true_classes[i]),
                                     std::to_string(predicted_best[i]),
                                     std::to_string(predicted_last[i])};
        for (const train::JobPredictions* epoch : {&job.best, &job.last}) {
          for (int c = 0; c < classes; ++c) {
            row.push_back(c < group.classes ? number(static_cast<double>(epoch->probabilities.at(i, c)))
                                            : "");
          }
        }
        write_csv_row(out, row);
        ++rows;
      }
    }
  }
  return out.str();
}

// The temperature stored with each group's kept models (train.calibration:
// temperature); only the header where the sweep has none.
std::string temperatures_csv(const std::vector<storage::ModelTemperatureRow>& rows) {
  std::ostringstream out;
  write_csv_row(out, {"point", "experiment", "classes", "temperature", "jobs", "items", "fitted_at"});
  for (const storage::ModelTemperatureRow& row : rows) {
    write_csv_row(out, {row.point, row.experiment, std::to_string(row.classes), number(row.temperature),
                        std::to_string(row.jobs), std::to_string(row.items), std::to_string(row.fitted_at)});
  }
  return out.str();
}

}  // namespace

WrittenExport export_sweep(storage::Database& db, const ExportOptions& options) {
  refuse_unless_empty(options.out_dir, options.force);
  const SweepResults results = load_sweep_results(db, select_sweep(db, options.sweep));
  const std::vector<storage::JobRow> jobs = storage::load_sweep_jobs(db, results.sweep.id);
  const std::map<std::int64_t, std::string> points = storage::load_sweep_points(db, results.sweep.id);
  std::map<std::int64_t, const storage::TrainResultRow*> train_results;
  for (const ResultGroup& group : results.groups) {
    for (const TrainedJob& job : group.jobs) train_results[job.result.job_id] = &job.result;
  }
  std::map<std::int64_t, storage::MediaOfPost> media;
  if (storage::find_profile(db)) {
    for (storage::MediaOfPost& item : storage::load_media_of_posts(db, true))
      media[item.media_id] = std::move(item);
  }

  std::error_code error;
  std::filesystem::create_directories(options.out_dir, error);
  if (error) throw ConfigError("--out: cannot create " + options.out_dir + ": " + error.message());
  WrittenExport written;
  written.sweep_name = results.sweep.name;
  written.jobs = jobs.size();
  auto write = [&](const std::string& name, const std::string& contents) {
    const std::string path = join_path(options.out_dir, name);
    write_file_atomically(path, contents);
    written.files.push_back(path);
  };
  storage::ResultReader reader(db);
  write("jobs.csv", jobs_csv(jobs, points, train_results));
  write("epochs.csv", epochs_csv(reader, results));
  write("predictions.csv", predictions_csv(results, media, written.predictions));
  write("groups.csv", results_csv(results));
  write("temperatures.csv", temperatures_csv(storage::load_model_temperatures(db, results.sweep.id)));
  write("schema.txt", fmt::format("popsweep export schema {}\nsweep {} (id {})\nsee docs/SCHEMA.md\n",
                                  kExportSchemaVersion, results.sweep.name, results.sweep.id));
  return written;
}

}  // namespace popsweep::reports
