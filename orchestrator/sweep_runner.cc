#include "orchestrator/sweep_runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <set>

#include "common/error.h"
#include "common/file_util.h"
#include "common/sha256.h"
#include "orchestrator/coordinator_lease.h"
#include "orchestrator/gang_devices.h"
#include "orchestrator/gang_placement.h"
#include "orchestrator/job_graph.h"
#include "orchestrator/launch.h"
#include "orchestrator/mpi_transport.h"
#include "orchestrator/pipeline_handlers.h"
#include "orchestrator/point_temperatures.h"
#include "orchestrator/profile_preparation.h"
#include "orchestrator/progress_display.h"
#include "orchestrator/scheduler.h"
#include "orchestrator/search_halving.h"
#include "orchestrator/search_holdout.h"
#include "orchestrator/search_scores.h"
#include "orchestrator/signals.h"
#include "orchestrator/spec_loader.h"
#include "orchestrator/spec_schema.h"
#include "orchestrator/stages/pipeline_stages.h"
#include "orchestrator/study_run.h"
#include "orchestrator/sweep_identity.h"
#include "orchestrator/worker_main.h"
#include "storage/database.h"
#include "storage/job_tables.h"

namespace popsweep::orchestrator {
namespace {

struct LoadedRun {
  LoadedSpec loaded;
  std::vector<SpecValues> values;  // per sweep point
  std::vector<Spec> points;
  std::string database;
  std::vector<StudyProfile> study;            // profile.paths; empty for one profile
  std::vector<std::size_t> profile_of_point;  // a study's point -> index into `study`
};

// A study runs every point once per profile (study_profiles.h).
void set_points(LoadedRun& run, std::vector<SpecValues> values, const std::string& spec_path) {
  run.values = run.study.empty() ? std::move(values) : study_points(values, run.study, &run.profile_of_point);
  run.points.clear();
  for (const SpecValues& point : run.values) run.points.push_back(make_spec(point, spec_path));
}

void make_points(LoadedRun& run, const std::string& spec_path) {
  set_points(run, expand_sweep_points(run.loaded), spec_path);
}

// A tpe search proposes a batch once the batches before it are scored: every
// batch the database already scores is proposed again, with the same values,
// so a rerun after a kill finds the trials it had. Returns whether the run
// gained points.
bool propose_scored_batches(LoadedRun& run, storage::Database& db, const std::string& spec_path) {
  const SearchSettings settings = search_settings(run.loaded.values);
  if (settings.method != "tpe") return false;
  const TrialScoreLookup scores =
      stored_trial_scores(db, run.points.front().name, run.loaded.search, settings.objective);
  const std::vector<SpecValues> trials = propose_trials(run.loaded.search, settings, settings.trials, scores);
  const size_t before = run.values.size();
  set_points(run, expand_sweep_points(run.loaded, trials), spec_path);
  return run.values.size() > before;
}

LoadedRun load_run(const RunOptions& options) {
  LoadedRun run;
  run.loaded = load_spec_file(options.spec_path, options.overrides);
  if (!options.new_sweep_name.empty()) run.loaded.values["name"] = options.new_sweep_name;
  run.study = study_profiles(run.loaded.values, options.spec_path);
  make_points(run, options.spec_path);
  run.database = options.database.empty() ? run.points.front().database : options.database;
  return run;
}

// The sweep of this name already in the database, if any.
std::optional<storage::SweepRow> recorded_sweep(const LoadedRun& run) {
  if (!file_exists(run.database)) return std::nullopt;
  storage::Database db = storage::Database::open(run.database);
  return storage::find_sweep(db, run.points.front().name);
}

// A key added later whose default is not how popsweep worked before it
// existed (dedup.verify and features.jpeg_dct_scaling, on by default since
// issues 21 and 25) would make every point of a sweep recorded before look
// changed, and its rerun would be refused. Such a sweep ran with the key's
// old value, which its recorded identity shows by not naming the key
// (sweep_identity leaves a key out at that value), so it keeps that value
// unless the spec sets the key itself (the run is then loaded again with the
// kept values).
void keep_values_a_recorded_sweep_ran_with(LoadedRun& run, const std::optional<storage::SweepRow>& existing,
                                           const RunOptions& options, std::ostream& out) {
  if (!existing) return;
  const nlohmann::json recorded = nlohmann::json::parse(existing->spec_text);
  std::vector<std::string> kept;
  for (const SpecField& field : spec_schema()) {
    if (!field.identity_omits_value || run.loaded.explicit_keys.count(field.path)) continue;
    if (format_spec_value(field.default_value) == *field.identity_omits_value) continue;
    bool named = false;
    for (const nlohmann::json& point : recorded.value("points", nlohmann::json::array()))
      named = named || point.contains(field.path);
    if (!named) kept.push_back(field.path + "=" + *field.identity_omits_value);
  }
  if (kept.empty()) return;
  RunOptions keeping = options;
  keeping.overrides.insert(keeping.overrides.begin(), kept.begin(), kept.end());
  run = load_run(keeping);
  for (const std::string& setting : kept) {
    out << "sweep '" << existing->name << "' was recorded with " << setting
        << ", the behaviour before that key's default changed: it keeps it (set the key, with a new sweep name, "
           "to change it)\n";
  }
}

// A sweep recorded before train.split existed ran the paper's protocol. Its
// spec does not mention the key, so the new default (post) would make every
// point look changed and the rerun would be refused: such a sweep keeps the
// protocol it ran with unless the spec sets train.split itself.
void keep_legacy_split(LoadedRun& run, const std::optional<storage::SweepRow>& existing,
                       const RunOptions& options, std::ostream& out) {
  if (run.loaded.explicit_keys.count("train.split") || !existing || existing->legacy_split.empty()) return;
  run.loaded.values["train.split"] = existing->legacy_split;
  make_points(run, options.spec_path);
  out << "sweep '" << existing->name << "' was recorded before train.split existed: it keeps train.split "
      << existing->legacy_split << " (set train.split, with a new sweep name, to change it)\n";
}

void print_plan(const std::vector<PlannedJob>& jobs, std::ostream& out) {
  std::map<std::string, int> per_stage;
  for (const PlannedJob& job : jobs) ++per_stage[job.stage];
  out << jobs.size() << " jobs after ingest:";
  for (const auto& [stage, count] : per_stage) out << " " << stage << " " << count;
  out << "\n";
  for (size_t i = 0; i < jobs.size() && i < 12; ++i) {
    out << fmt::format("  {:<8} {}  {}\n", jobs[i].stage, jobs[i].key(),
                       jobs[i].params.dump().substr(0, 200));
  }
  if (jobs.size() > 12) out << "  ... (" << jobs.size() - 12 << " more)\n";
}

// Refuses a rerun that would mix results from a changed configuration.
std::int64_t record_sweep(storage::Database& db, const LoadedRun& run) {
  nlohmann::json identity = sweep_identity(run.values);
  const nlohmann::json search = describe_search(run.loaded);
  if (!search.is_null()) identity["search"] = search;
  const std::string name = run.points.front().name;
  if (const std::optional<storage::SweepRow> existing = storage::find_sweep(db, name)) {
    const std::vector<std::string> changes =
        incompatible_changes(nlohmann::json::parse(existing->spec_text), identity);
    if (!changes.empty()) {
      std::string message = "sweep '" + name + "' already exists in " + db.path() +
                            " with settings that give different results:\n";
      for (const std::string& change : changes) message += "  " + change + "\n";
      message += "run it under a new name (--new-sweep NAME, or name=NAME) or use another database";
      throw ConfigError(message);
    }
  }
  storage::SweepRow row;
  row.name = name;
  row.spec_text = identity.dump();
  row.result_hash = sweep_identity_hash(identity);
  row.seed = run.points.front().seed;
  row.updated_at = static_cast<std::int64_t>(std::time(nullptr));
  return storage::upsert_sweep(db, row);
}

void store_jobs(storage::Database& db, std::int64_t sweep_id, const std::vector<PlannedJob>& jobs,
                const std::string& ingest_params) {
  storage::Transaction transaction(db);
  std::vector<std::int64_t> ids;
  const PlannedJob ingest{"ingest", nlohmann::json::parse(ingest_params), 0, {}};
  const std::int64_t ingest_id = storage::ensure_job(db, ingest.key(), "ingest", ingest.params.dump(), 0);
  storage::mark_job_done(db, ingest_id, 0, static_cast<std::int64_t>(std::time(nullptr)));
  ids.push_back(ingest_id);
  std::vector<std::string> points{"{}"};
  std::map<std::string, std::int64_t> id_of_key;
  for (const PlannedJob& job : jobs) {
    const std::int64_t id = storage::ensure_job(db, job.key(), job.stage, job.params.dump(), job.seed);
    id_of_key[job.key()] = id;
    ids.push_back(id);
    points.push_back(job.point.dump());
    storage::add_dependency(db, id, ingest_id);
    for (const std::string& dependency : job.depends_on)
      storage::add_dependency(db, id, id_of_key.at(dependency));
  }
  storage::set_sweep_jobs(db, sweep_id, ids, points);
  transaction.commit();
}

// The swept and searched keys' values at each point (and a search's trial
// number), for the reports and for TPE's scores.
std::vector<nlohmann::json> swept_values_of(const LoadedRun& run) {
  std::vector<nlohmann::json> values;
  for (const SpecValues& point : run.values) {
    nlohmann::json swept = nlohmann::json::object();
    for (const SweepAxis& axis : run.loaded.sweep) swept[axis.path] = format_spec_value(point.at(axis.path));
    if (const auto trial = point.find(kTrialKey); trial != point.end()) {
      swept[kTrialKey] = std::get<std::int64_t>(trial->second);
      for (const SearchDimension& d : run.loaded.search) swept[d.path] = format_spec_value(point.at(d.path));
    }
    if (!run.study.empty()) swept[kProfilePointKey] = run.study[run.profile_of_point[values.size()]].name;
    values.push_back(std::move(swept));
  }
  return values;
}

// The jobs of every point; a study plans each ready profile's points with
// its own fingerprint (`fingerprints[i]` of run.study[i], empty: failed).
std::vector<PlannedJob> plan_run(const LoadedRun& run, const GraphInputs& inputs,
                                 const std::vector<std::string>& fingerprints) {
  const std::vector<nlohmann::json> swept = swept_values_of(run);
  if (run.study.empty()) return plan_jobs(run.points, inputs, swept);
  std::vector<PlannedJob> jobs;
  for (std::size_t profile = 0; profile < run.study.size(); ++profile) {
    if (fingerprints[profile].empty()) continue;
    std::vector<Spec> points;
    std::vector<nlohmann::json> values;
    for (std::size_t i = 0; i < run.points.size(); ++i) {
      if (run.profile_of_point[i] != profile) continue;
      points.push_back(run.points[i]);
      values.push_back(swept[i]);
    }
    for (PlannedJob& job : plan_jobs(points, {fingerprints[profile], inputs.weights_hash}, values))
      jobs.push_back(std::move(job));
  }
  return jobs;
}

// The points (as sweep_jobs records them) whose models get a temperature.
std::set<std::string> calibrated_points(const LoadedRun& run) {
  std::set<std::string> points;
  const std::vector<nlohmann::json> swept = swept_values_of(run);
  for (std::size_t i = 0; i < run.values.size(); ++i) {
    const auto calibration = run.values[i].find("train.calibration");
    if (calibration != run.values[i].end() && format_spec_value(calibration->second) == "temperature") {
      points.insert(swept[i].dump());
    }
  }
  return points;
}

// The jobs of one round: the sweep points' jobs, with a pruned search's
// training jobs in their rungs as decided so far.
struct RoundPlan {
  std::vector<PlannedJob> jobs;
  std::vector<std::string> pruned_job_keys;
  HalvingRound halving;
  // Grows with every decision, so a round that adds nothing ends the run.
  size_t size() const { return jobs.size() + pruned_job_keys.size(); }
};

RoundPlan plan_round(const LoadedRun& run, const GraphInputs& inputs,
                     const std::vector<std::string>& fingerprints, storage::Database& db) {
  RoundPlan plan;
  const std::vector<nlohmann::json> swept = swept_values_of(run);
  plan.jobs = plan_run(run, inputs, fingerprints);
  const HalvingSettings halving = halving_settings(run.loaded.values);
  const auto holdout_repeats =
      static_cast<int>(std::get<std::int64_t>(run.loaded.values.at("search.holdout_repeats")));
  if (!halving.enabled && holdout_repeats == 0) return plan;
  const SearchSettings settings = search_settings(run.loaded.values);
  const StoredJobLookup stored = stored_train_jobs(db, run.points.front().name);
  if (halving.enabled) {
    plan.halving = plan_halving(plan.jobs, halving, settings.objective, stored);
    plan.jobs = plan.halving.jobs;
    plan.pruned_job_keys = plan.halving.pruned_keys;
  }
  if (holdout_repeats > 0) {
    if (const std::optional<int> trial =
            chosen_trial(plan.jobs, settings.trials, settings.objective, stored)) {
      for (PlannedJob& job : holdout_jobs(run.points, swept, *trial, holdout_repeats,
                                          halving.enabled ? halving.max_epochs : 0, inputs)) {
        plan.jobs.push_back(std::move(job));
      }
    }
  }
  return plan;
}

void mark_pruned(storage::Database& db, const std::vector<std::string>& keys) {
  std::vector<std::int64_t> ids;
  for (const std::string& key : keys) {
    if (const std::optional<storage::JobRow> job = storage::find_job_by_key(db, key)) ids.push_back(job->id);
  }
  storage::Transaction transaction(db);
  storage::mark_jobs_pruned(db, ids);
  transaction.commit();
}

void print_pruning(const LoadedRun& run, const GraphInputs& inputs,
                   const std::vector<std::string>& fingerprints, storage::Database& db, std::ostream& out) {
  if (!halving_settings(run.loaded.values).enabled) return;
  const HalvingRound round = plan_round(run, inputs, fingerprints, db).halving;
  int pruned = 0;
  for (const TrialRungs& trial : round.trials) pruned += trial.pruned;
  out << fmt::format(
      "successive halving: {} of {} trial(s) pruned; {} epochs planned of {} unpruned ({:.1f}%)\n", pruned,
      round.trials.size(), round.epochs_planned, round.epochs_unpruned,
      round.epochs_unpruned ? 100.0 * round.epochs_planned / round.epochs_unpruned : 0.0);
}

WorkerEnvironment worker_environment(const Spec& spec, int threads) {
  WorkerEnvironment environment;
  environment.threads = threads;
  MpiWorld* world = mpi_world();
  environment.device = choose_device(spec.run.device, world ? world->local_rank() : 0);
  return environment;
}

}  // namespace

int run_sweep(const RunOptions& options, std::ostream& out) {
  LoadedRun run = load_run(options);
  const std::optional<storage::SweepRow> existing = recorded_sweep(run);
  keep_values_a_recorded_sweep_ran_with(run, existing, options, out);
  keep_legacy_split(run, existing, options, out);
  const Spec first = run.points.front();  // a copy: a tpe search adds points as it goes
  // Before the profile is generated or ingested, so a wrong pair fails at once.
  for (const Spec& point : run.points) check_weights_fit_backbone(point);
  if (options.dry_run) {
    GraphInputs inputs{"(profile fingerprint after ingest)", weights_identity(first)};
    out << "sweep '" << first.name << "': " << run.points.size() << " sweep point(s), database " << run.database
        << "\n";
    std::vector<std::string> placeholders;
    for (const StudyProfile& profile : run.study)
      placeholders.push_back("(fingerprint of " + profile.name + ")");
    std::vector<PlannedJob> jobs = plan_run(run, inputs, placeholders);
    if (const HalvingSettings halving = halving_settings(run.loaded.values); halving.enabled) {
      jobs = plan_halving(jobs, halving, search_settings(run.loaded.values).objective, {}).jobs;
    }
    print_plan(jobs, out);
    return 0;
  }
  const WorkerLayout layout = choose_worker_layout(first.run.workers, first.run.threads_per_worker);
  check_gang_size(first.run.ranks_per_job, mpi_world() ? mpi_world()->size() - 1 : layout.workers,
                  mpi_world() != nullptr);
  // The local pool's devices, so a GPU that is not there fails before the profile
  // is prepared (MPI ranks choose their own; a dry run may be planned on a
  // machine without the GPUs), and a gang that would need more GPUs too.
  const std::vector<std::string> pool_devices =
      mpi_world() ? std::vector<std::string>{} : choose_pool_devices(first.run.device, layout.workers);
  if (!mpi_world()) {
    check_pool_gang_devices(first.run.device, first.run.ranks_per_job, visible_gpu_count(), pool_devices);
  }
  for (const Spec& point : run.points) {
    if ((run.study.empty() && point.profile.path != first.profile.path) ||
        point.profile.synth_preset != first.profile.synth_preset) {
      throw ConfigError("a sweep works on one profile: profile.* cannot vary between sweep points");
    }
  }
  // One coordinator per database, from the first write to the last.
  const std::unique_ptr<CoordinatorLease> lease = hold_coordinator_lease(run.database, out);
  // A study prepares each profile on its own; one that fails is set aside.
  PreparedProfile profile;
  std::vector<PreparedStudyProfile> study;
  std::vector<std::string> fingerprints;
  if (run.study.empty()) {
    profile = prepare_profile(first, run.database);
    out << profile.summary;
  } else {
    study = prepare_study_profiles(run.study, first, run.database, out);
    nlohmann::json listed = nlohmann::json::array();
    for (const PreparedStudyProfile& one : study) {
      fingerprints.push_back(one.fingerprint);
      if (one.failure.empty())
        listed.push_back({{"profile", one.profile.directory}, {"fingerprint", one.fingerprint}});
    }
    profile.directory = "study";
    profile.fingerprint = listed.dump();
  }
  const GraphInputs inputs{profile.fingerprint, weights_identity(first)};
  storage::Database db = storage::Database::open(run.database);
  propose_scored_batches(run, db, options.spec_path);
  std::unique_ptr<CoordinatorTransport> transport =
      make_coordinator_transport(layout, pool_devices);
  SchedulerOutcome outcome;
  // One round for a grid, random or sobol sweep; a tpe search runs a round per
  // batch, each proposed from the scores of the rounds before, and a pruned
  // search a round per rung.
  for (bool first_round = true;; first_round = false) {
    const RoundPlan plan = plan_round(run, inputs, fingerprints, db);
    const std::vector<PlannedJob>& jobs = plan.jobs;
    const std::int64_t sweep_id = record_sweep(db, run);
    if (!study.empty()) storage::record_study_profiles(db, sweep_id, study_profile_rows(study));
    store_jobs(db, sweep_id, jobs,
               nlohmann::json{{"profile", profile.directory}, {"fingerprint", profile.fingerprint}}.dump());
    if (!plan.pruned_job_keys.empty()) mark_pruned(db, plan.pruned_job_keys);
    if (options.retry_failed && first_round) {
      out << storage::reset_failed_jobs(db, sweep_id) << " failed job(s) get new attempts\n";
    }

    PipelineHandlers handlers;
    register_pipeline_stages(handlers, db, run.points, inputs);
    const std::unique_ptr<StageHandlers> study_handlers =
        study.empty() ? nullptr : scoped_to_job_profile(handlers, study);
    StageHandlers& stage_handlers = study_handlers ? *study_handlers : handlers;
    out << fmt::format("sweep '{}' (id {}): {} jobs on {} worker(s), {} thread(s) each\n", first.name,
                       sweep_id, jobs.size() + 1, transport->worker_count(), layout.threads_per_worker);
    out.flush();

    ProgressDisplay display;
    SchedulerOptions scheduler;
    scheduler.max_attempts = first.run.max_attempts;
    scheduler.job_timeout =
        std::chrono::milliseconds(static_cast<std::int64_t>(first.run.job_timeout_minutes * 60000));
    scheduler.stop_grace =
        std::chrono::milliseconds(static_cast<std::int64_t>(first.run.stop_grace_seconds * 1000));
    scheduler.stop_requested = &install_stop_signal_handlers();
    scheduler.on_progress = [&](const SchedulerProgress& progress) { display.update(progress); };
    scheduler.log = [&](const std::string& line) { display.log(line); };
    scheduler.workers_idle_at_start = outcome.idle_workers;  // empty in the first round
    // Under MPI a gang meets at its rank 0's node, which its hello named.
    scheduler.gang_host = mpi_world() ? "" : "127.0.0.1";
    scheduler.device_request = first.run.device;
    outcome = run_scheduler(db, sweep_id, *transport, stage_handlers, scheduler);
    display.finish();
    // Every group whose training jobs are all done gets its temperature now,
    // also when the round stopped early.
    if (const int stored = store_point_temperatures(db, sweep_id, calibrated_points(run),
                                                    static_cast<std::int64_t>(std::time(nullptr)))) {
      out << "train.calibration: temperature stored for " << stored << " group(s) of finished models\n";
    }
    const bool finished = !(outcome.failed || outcome.pending || outcome.interrupted || outcome.stopped ||
                            !outcome.lost_workers.empty());
    if (!finished) break;
    if (propose_scored_batches(run, db, options.spec_path)) {
      out << "search: batch scored; " << run.points.size() << " sweep point(s) proposed so far\n";
    } else if (plan_round(run, inputs, fingerprints, db).size() > plan.size()) {
      out << "search: rung decided; promoted trials go on from their saved state\n";
    } else {
      break;
    }
  }
  transport->shutdown();
  print_pruning(run, inputs, fingerprints, db, out);

  out << fmt::format("sweep '{}': {} done, {} failed, {} interrupted, {} not run", first.name, outcome.done,
                     outcome.failed, outcome.interrupted, outcome.pending);
  out << (outcome.pruned ? fmt::format(", {} pruned\n", outcome.pruned) : std::string("\n"));
  const bool profile_failed = std::any_of(
      study.begin(), study.end(), [](const PreparedStudyProfile& one) { return !one.failure.empty(); });
  if (!study.empty()) out << study_summary(study);
  if (MpiWorld* world = mpi_world(); world && !outcome.lost_workers.empty()) {
    // A hung rank never reaches MPI_Finalize, and Open MPI's finalize waits
    // for every rank: ending normally would hang this job until Slurm kills
    // it. Everything is committed by now, so the coordinator takes the MPI
    // job down itself, saying which rank and why; rerunning resumes. A rank
    // still busy when a stop's grace ran out is such a rank too.
    if (outcome.stopped) {
      out << "stopped by signal " << stop_signal_received() << "; run the same command again to resume\n";
    }
    out.flush();
    lease->release();
    std::string lost;
    for (const std::string& line : outcome.lost_workers) lost += (lost.empty() ? "" : "; ") + line;
    const bool all_done = !(outcome.failed || outcome.pending || outcome.interrupted || outcome.stopped);
    world->abort_world(fmt::format("{} worker rank(s) lost ({}); every result is recorded in {}",
                                   outcome.lost_workers.size(), lost, run.database),
                       outcome.stopped ? 3 : (all_done ? 4 : 2));
  }
  if (outcome.stopped) {
    out << "stopped by signal " << stop_signal_received() << "; run the same command again to resume\n";
    return 3;
  }
  if (outcome.failed || outcome.pending || outcome.interrupted || profile_failed) {
    out << "see `popsweep status --db " << run.database << "` for the errors; rerun to resume\n";
    return 2;
  }
  return 0;
}

void run_sweep_worker(const RunOptions& options) {
  const LoadedRun run = load_run(options);
  const Spec& first = run.points.front();
  const WorkerLayout layout = choose_worker_layout(1, first.run.threads_per_worker);
  run_mpi_worker(*mpi_world(), worker_environment(first, layout.threads_per_worker));
}

}  // namespace popsweep::orchestrator
