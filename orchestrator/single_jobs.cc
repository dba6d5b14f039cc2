#include "orchestrator/single_jobs.h"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <ostream>
#include <set>
#include <thread>

#include <unistd.h>

#include "common/error.h"
#include "orchestrator/count_progress.h"
#include "orchestrator/job_graph.h"
#include "orchestrator/launch.h"
#include "orchestrator/pipeline_handlers.h"
#include "orchestrator/signals.h"
#include "orchestrator/spec.h"
#include "orchestrator/spec_loader.h"
#include "orchestrator/stage_executor.h"
#include "orchestrator/stages/dedup_stage.h"
#include "orchestrator/stages/extract_stage.h"
#include "orchestrator/stages/label_stage.h"
#include "orchestrator/stages/train_stage.h"
#include "storage/database.h"
#include "storage/feature_tables.h"
#include "storage/job_tables.h"
#include "worker/data/profile_fingerprint.h"
#include "worker/features/feature_set_key.h"
#include "worker/features/near_duplicate_search.h"

namespace popsweep::orchestrator {
namespace {

using Clock = std::chrono::steady_clock;

std::int64_t now_seconds() { return static_cast<std::int64_t>(std::time(nullptr)); }

// A spec for one job: the file's values (or the defaults) and the overrides.
// The profile is already in the database, so a stand-in satisfies the
// spec's "exactly one profile" rule when no file names one.
Spec spec_of(const SingleJobOptions& options) {
  const LoadedSpec loaded = options.spec_path.empty()
                                ? parse_spec_text("name: single\nprofile:\n  path: .\n", "(defaults)", options.overrides)
                                : load_spec_file(options.spec_path, options.overrides);
  if (!loaded.sweep.empty()) throw ConfigError(loaded.source + ": a single job takes no sweep: section");
  return make_spec(loaded.values, loaded.source);
}

struct JobContext {
  storage::Database db;
  Spec spec;
  GraphInputs inputs;
};

JobContext open_context(const SingleJobOptions& options) {
  JobContext context{storage::Database::open(options.database), spec_of(options), {}};
  context.inputs = {data::profile_fingerprint(context.db), weights_identity(context.spec)};
  return context;
}

storage::JobRow ensure_job_row(storage::Database& db, const PlannedJob& planned) {
  const std::int64_t id = storage::ensure_job(db, planned.key(), planned.stage, planned.params.dump(), planned.seed);
  return *storage::find_job(db, id);
}

WorkerEnvironment local_environment(const Spec& spec) {
  WorkerEnvironment environment;
  environment.threads = spec.run.threads_per_worker > 0 ? spec.run.threads_per_worker
                                                       : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  environment.device = choose_device(spec.run.device, 0);
  return environment;
}

// Runs a worker stage here, recording partials and the result the way the
// scheduler does: each in its own transaction, the result with the job's status.
Message run_worker_job(storage::Database& db, PipelineHandlers& handlers, const storage::JobRow& job,
                       const WorkerEnvironment& environment, const std::function<void(const Message&)>& on_partial) {
  const RemoteDispatch dispatch = handlers.prepare_remote(job);
  std::unique_ptr<StageExecutor> executor = make_worker_executor(environment);
  for (const std::string& key : dispatch.dataset_keys) executor->accept_dataset(handlers.dataset_message(key));
  const std::atomic<bool>& stop = install_stop_signal_handlers();
  storage::mark_job_running(db, job.id, "this process", now_seconds());
  const auto start = Clock::now();
  const Message outcome = executor->execute(
      dispatch.job, [&stop] { return stop.load(); },
      [&](Message partial) {
        storage::Transaction transaction(db);
        handlers.record_partial(job, partial);
        transaction.commit();
        on_partial(partial);
      });
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  storage::Transaction transaction(db);
  if (outcome.type() == "interrupted") {
    handlers.record_interruption(job, outcome);
    storage::mark_job_interrupted(db, job.id, "stopped by a signal", now_seconds());
  } else {
    handlers.record_result(job, outcome);
    storage::mark_job_done(db, job.id, seconds, now_seconds());
  }
  transaction.commit();
  return outcome;
}

}  // namespace

void run_single_extract(const SingleJobOptions& options, std::ostream& out) {
  JobContext context = open_context(options);
  const nlohmann::json features = feature_set_params(context.spec, context.inputs);
  ExtractionOptions extraction;
  extraction.weights_path[features.dump()] = context.spec.features.weights;
  extraction.batch = context.spec.features.batch;
  PipelineHandlers handlers;
  auto stage = std::make_unique<ExtractStage>(context.db, extraction);
  const ExtractStage& extract_stage = *stage;
  handlers.add_stage("extract", std::move(stage));
  const storage::JobRow job = ensure_job_row(
      context.db,
      {"extract", {{"profile", context.inputs.profile_fingerprint}, {"features", features}, {"shard", 0}, {"shards", 1}},
       0, {}});
  CountProgress progress(out, "extract", "media", &out == &std::cout && ::isatty(STDOUT_FILENO) == 1);
  long media = 0;
  const Message outcome =
      run_worker_job(context.db, handlers, job, local_environment(context.spec), [&](const Message& partial) {
        std::set<std::string> finished;
        for (const nlohmann::json& feature : partial.header.value("features", nlohmann::json::array())) {
          finished.insert(feature.at(0).get<std::string>());
        }
        for (const nlohmann::json& problem : partial.header.value("problems", nlohmann::json::array())) {
          finished.insert(problem.at(0).get<std::string>());
          out << (media > 0 ? "\n" : "") << "  skipped " << problem.at(0).get<std::string>().substr(0, 12) << ": "
              << problem.at(1).get<std::string>() << "\n";
        }
        media += static_cast<long>(finished.size());
        progress.set_total(extract_stage.dispatched_media());
        progress.update(media);
      });
  progress.finish();
  out << fmt::format("extract: {} ({} media embedded, {} unreadable), feature set {}\n",
                     outcome.type() == "interrupted" ? "interrupted; run again to go on" : "done",
                     outcome.header.value("embedded_media", 0), outcome.header.value("unreadable_media", 0),
                     storage::ensure_feature_set(context.db, features::feature_set_key(features)));
}

void run_single_dedup(const SingleJobOptions& options, const std::string& pairs_csv, const std::string& histogram_csv,
                      std::ostream& out) {
  JobContext context = open_context(options);
  const nlohmann::json features = feature_set_params(context.spec, context.inputs);
  const std::optional<storage::FeatureSetRow> set =
      storage::find_feature_set(context.db, features::feature_set_key(features));
  if (!set) throw ConfigError("no features for these features.* settings yet: run `popsweep extract` first");
  features::DedupSettings settings = dedup_settings_from_params(dedup_params(context.spec));
  // --threads (run.threads_per_worker) is the verification's thread count
  // here, as it is extraction's; unset, LibTorch's own count.
  settings.threads = std::max(0, context.spec.run.threads_per_worker);
  const features::NearDuplicateReport report = clean_near_duplicates(context.db, set->id, settings);
  std::map<std::string, int> pairs_by_kind;
  for (const features::DuplicatePair& pair : report.pairs) pairs_by_kind[pair.media_type] += pair.kept;
  out << fmt::format(
      "dedup: {} images, {} videos; {}; {} media removed, {} pairs under the threshold ({} image, {} video, {} "
      "image-video)",
      report.images, report.videos, report.explanation, report.removed, report.pairs.size() - report.rejected,
      pairs_by_kind["image"], pairs_by_kind["video"], pairs_by_kind[features::kImageVideoPair]);
  if (context.spec.dedup.verify) {
    out << fmt::format("; {} candidates verified on their pixels, {} rejected ({})", report.pairs.size(),
                       report.rejected, features::describe_phases(report.verification));
  }
  out << "\n";
  if (!pairs_csv.empty()) {
    std::ofstream csv(pairs_csv);
    // Without verification the file lists the duplicates, as before; with
    // it, every candidate, `kept` and `reason` saying what verification decided.
    csv << "media_type,first_media_id,second_media_id,distance,first_path,second_path,kept,block_difference,"
           "reason,colour_shift,contrast_change\n";
    for (const features::DuplicatePair& pair : report.pairs) {
      csv << pair.media_type << "," << pair.first_media_id << "," << pair.second_media_id << ","
          << fmt::format("{:.6f}", pair.distance) << "," << pair.first_path << "," << pair.second_path << ","
          << (pair.kept ? 1 : 0) << ","
          << (pair.block_difference ? fmt::format("{:.3f}", *pair.block_difference) : std::string()) << ","
          << pair.reason << ","
          << (pair.colour_shift ? fmt::format("{:.1f}", *pair.colour_shift) : std::string()) << ","
          << (pair.contrast_change ? fmt::format("{:.3f}", *pair.contrast_change) : std::string()) << "\n";
    }
    if (!csv) throw Error("cannot write " + pairs_csv);
  }
  if (!histogram_csv.empty()) {
    std::ofstream csv(histogram_csv);
    csv << "nearest_neighbour_distance\n";
    for (const double distance : report.image_nearest_distances) csv << fmt::format("{:.6f}", distance) << "\n";
    if (!csv) throw Error("cannot write " + histogram_csv);
  }
}

void run_single_train(const SingleJobOptions& options, const TrainJobChoice& choice, std::ostream& out) {
  JobContext context = open_context(options);
  const Spec& spec = context.spec;
  if (choice.fold < 0 || choice.fold >= spec.train.folds) {
    throw ConfigError(fmt::format("--fold {} is not in 0..{} (train.folds = {})", choice.fold, spec.train.folds - 1,
                                  spec.train.folds));
  }
  if (choice.repeat < 0) throw ConfigError("--repeat must be 0 or more");
  PipelineHandlers handlers;
  handlers.add_stage("label", std::make_unique<LabelStage>(context.db));
  const nlohmann::json features = feature_set_params(spec, context.inputs);
  handlers.add_stage("train", std::make_unique<TrainStage>(context.db, handlers,
                                                           std::map<std::string, std::string>{
                                                               {features.dump(), spec.features.weights}},
                                                           spec.run.checkpoint_minutes));

  const nlohmann::json labels = label_params(spec, choice.classes, context.inputs);
  handlers.run_on_coordinator(ensure_job_row(context.db, {"label", labels, 0, {}}));
  const nlohmann::json params =
      train_job_params(spec, labels, features, choice.experiment, choice.classes, choice.fold, choice.repeat);
  const storage::JobRow job = ensure_job_row(context.db, {"train", params, train_job_seed(spec, params), {}});
  const Message outcome = run_worker_job(context.db, handlers, job, local_environment(spec), [](const Message&) {});
  if (outcome.type() == "interrupted") {
    out << "train: interrupted at epoch " << outcome.header.value("epoch", 0) << "; run again to resume\n";
    return;
  }
  const nlohmann::json& h = outcome.header;
  out << fmt::format("train: job {} ({} classes, fold {}, repeat {}): accuracy {:.4f} at best epoch {}, {:.4f} at "
                     "the last; majority baseline {}; {} training and {} validation items\n",
                     job.id, choice.classes, choice.fold, choice.repeat, h.at("accuracy_best").get<double>(),
                     h.at("best_epoch").get<int>(), h.at("accuracy_last").get<double>(),
                     h.at("majority_baseline").is_number()
                         ? fmt::format("{:.4f}", h.at("majority_baseline").get<double>())
                         : std::string("n/a"),
                     h.at("train_items").get<int>(), h.at("val_items").get<int>());
}

}  // namespace popsweep::orchestrator
