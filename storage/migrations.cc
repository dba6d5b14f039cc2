#include "storage/migrations.h"

namespace popsweep::storage {
namespace {

// Version 1: the data stage. Times are Unix seconds (UTC). Media paths are
// relative to the profile's source directory.
const char* const kDataStage = R"SQL(
CREATE TABLE profiles (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL UNIQUE,
  source_dir    TEXT NOT NULL,
  source_format TEXT NOT NULL CHECK (source_format IN ('popsweep', 'instaloader')),
  ingested_at   INTEGER NOT NULL
);
CREATE TABLE posts (
  id          INTEGER PRIMARY KEY,
  profile_id  INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
  post_key    TEXT NOT NULL,
  posted_at   INTEGER NOT NULL,
  likes       INTEGER NOT NULL CHECK (likes >= 0),
  comments    INTEGER NOT NULL CHECK (comments >= 0),
  impressions INTEGER CHECK (impressions IS NULL OR impressions >= 0),
  kind        TEXT NOT NULL CHECK (kind IN ('image', 'video', 'carousel')),
  UNIQUE (profile_id, post_key)
);
CREATE TABLE media (
  id              INTEGER PRIMARY KEY,
  post_id         INTEGER NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
  media_index     INTEGER NOT NULL,
  media_type      TEXT NOT NULL CHECK (media_type IN ('image', 'video')),
  path            TEXT NOT NULL,
  thumbnail_path  TEXT,
  content_hash    TEXT NOT NULL,
  size_bytes      INTEGER NOT NULL,
  excluded_reason TEXT,
  UNIQUE (post_id, media_index)
);
CREATE INDEX media_by_hash ON media(content_hash);
CREATE TABLE follower_samples (
  profile_id INTEGER NOT NULL REFERENCES profiles(id) ON DELETE CASCADE,
  sampled_at INTEGER NOT NULL,
  followers  INTEGER NOT NULL CHECK (followers >= 0),
  PRIMARY KEY (profile_id, sampled_at)
);
CREATE TABLE label_configs (
  id           INTEGER PRIMARY KEY,
  classes      INTEGER NOT NULL CHECK (classes >= 2),
  window_weeks REAL NOT NULL,
  mode         TEXT NOT NULL CHECK (mode IN ('centered', 'trailing', 'global')),
  computed_at  INTEGER NOT NULL,
  UNIQUE (classes, window_weeks, mode)
);
CREATE TABLE labels (
  label_config_id INTEGER NOT NULL REFERENCES label_configs(id) ON DELETE CASCADE,
  media_id        INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
  followers       REAL NOT NULL,
  extrapolated    INTEGER NOT NULL,
  por             REAL NOT NULL,
  class           INTEGER NOT NULL,
  PRIMARY KEY (label_config_id, media_id)
);
-- Media that a stage could not use (corrupt file, unsupported codec, ...),
-- kept so that summaries and reports list them instead of dropping them.
CREATE TABLE media_problems (
  media_id    INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
  stage       TEXT NOT NULL,
  reason      TEXT NOT NULL,
  recorded_at INTEGER NOT NULL,
  PRIMARY KEY (media_id, stage)
);
)SQL";

// Version 2: the feature store and near-duplicate cleaning. Features are
// keyed by the media file's content hash, not its id, so an identical file
// is embedded once and a replaced file never reuses stale features; a
// feature set pins the backbone, its weights and the preprocessing, so
// features of different backbones or weights never mix.
const char* const kFeatureStore = R"SQL(
CREATE TABLE feature_sets (
  id            INTEGER PRIMARY KEY,
  backbone      TEXT NOT NULL,
  weights_hash  TEXT NOT NULL,
  preprocessing TEXT NOT NULL,
  dim           INTEGER NOT NULL CHECK (dim > 0),
  created_at    INTEGER NOT NULL,
  UNIQUE (backbone, weights_hash, preprocessing)
);
-- role: 'image' (an image), 'frames' (a video's sampled frames, one row
-- each), 'thumbnail' (a video's cover image, or its first frame). view 0 is
-- the plain input; views 1..N are seeded augmentations (M14).
CREATE TABLE features (
  feature_set_id INTEGER NOT NULL REFERENCES feature_sets(id) ON DELETE CASCADE,
  content_hash   TEXT NOT NULL,
  role           TEXT NOT NULL CHECK (role IN ('image', 'frames', 'thumbnail')),
  view           INTEGER NOT NULL CHECK (view >= 0),
  rows           INTEGER NOT NULL CHECK (rows > 0),
  data           BLOB NOT NULL,
  PRIMARY KEY (feature_set_id, content_hash, role, view)
);
-- What M8 compares besides the thumbnail: duration and frame rate.
CREATE TABLE video_info (
  content_hash TEXT PRIMARY KEY,
  duration     REAL NOT NULL,
  frame_rate   REAL NOT NULL,
  width        INTEGER NOT NULL,
  height       INTEGER NOT NULL
);
-- M7-M9: media removed as near duplicates, with the partner that stays.
CREATE TABLE duplicates (
  feature_set_id   INTEGER NOT NULL REFERENCES feature_sets(id) ON DELETE CASCADE,
  removed_media_id INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
  kept_media_id    INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
  distance         REAL NOT NULL,
  threshold        REAL NOT NULL,
  PRIMARY KEY (feature_set_id, removed_media_id)
);
)SQL";

// Version 3: sweeps, jobs and their results. A job's identity is the hash of
// its stage and parameters (job_key), so the same grid point is one row
// however many sweeps include it, and a stage whose inputs did not change is
// not run again. Only the coordinator writes these tables.
const char* const kJobs = R"SQL(
CREATE TABLE sweeps (
  id          INTEGER PRIMARY KEY,
  name        TEXT NOT NULL UNIQUE,
  spec_text   TEXT NOT NULL,
  result_hash TEXT NOT NULL,
  seed        INTEGER NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE TABLE jobs (
  id           INTEGER PRIMARY KEY,
  job_key      TEXT NOT NULL UNIQUE,
  stage        TEXT NOT NULL,
  params       TEXT NOT NULL,
  seed         INTEGER NOT NULL,
  status       TEXT NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'running', 'done', 'failed', 'interrupted')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  error        TEXT,
  worker       TEXT,
  created_at   INTEGER NOT NULL,
  started_at   INTEGER,
  finished_at  INTEGER,
  seconds      REAL
);
CREATE INDEX jobs_by_status ON jobs(status);
CREATE TABLE sweep_jobs (
  sweep_id INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
  job_id   INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  PRIMARY KEY (sweep_id, job_id)
);
CREATE TABLE job_dependencies (
  job_id     INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  depends_on INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  PRIMARY KEY (job_id, depends_on)
);
CREATE TABLE epochs (
  job_id         INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  epoch          INTEGER NOT NULL,
  train_loss     REAL NOT NULL,
  train_accuracy REAL NOT NULL,
  val_loss       REAL NOT NULL,
  val_accuracy   REAL NOT NULL,
  PRIMARY KEY (job_id, epoch)
);
CREATE TABLE train_results (
  job_id            INTEGER PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
  experiment        TEXT NOT NULL,
  classes           INTEGER NOT NULL,
  fold              INTEGER NOT NULL,
  repeat            INTEGER NOT NULL,
  best_epoch        INTEGER NOT NULL,
  epochs_run        INTEGER NOT NULL,
  accuracy_best     REAL NOT NULL,
  accuracy_last     REAL NOT NULL,
  top2_best         REAL,
  top2_last         REAL,
  majority_baseline REAL NOT NULL,
  confusion_best    TEXT NOT NULL,
  confusion_last    TEXT NOT NULL,
  train_items       INTEGER NOT NULL,
  val_items         INTEGER NOT NULL
);
-- One row per validated item: pooled accuracy, confusion matrices and any
-- later metric are recomputed from these. Probabilities: float32 blobs.
CREATE TABLE predictions (
  job_id             INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  media_id           INTEGER NOT NULL,
  true_class         INTEGER NOT NULL,
  predicted_best     INTEGER NOT NULL,
  predicted_last     INTEGER NOT NULL,
  probabilities_best BLOB NOT NULL,
  probabilities_last BLOB NOT NULL,
  PRIMARY KEY (job_id, media_id)
);
-- 'best': the kept head weights (the backbone is frozen and referenced by
-- its feature set); 'resume': the state at the last epoch boundary of an
-- interrupted job.
CREATE TABLE checkpoints (
  job_id         INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  kind           TEXT NOT NULL CHECK (kind IN ('best', 'resume')),
  epoch          INTEGER NOT NULL,
  feature_set_id INTEGER,
  data           BLOB NOT NULL,
  PRIMARY KEY (job_id, kind)
);
)SQL";

// Version 4: which sweep point a job belongs to (the values of the swept
// keys), so reports can plot a metric against each swept parameter.
const char* const kSweepPoints = R"SQL(
ALTER TABLE sweep_jobs ADD COLUMN point TEXT;
)SQL";

// Version 5: what each near-duplicate search decided, so reports can show
// the threshold even when it removed nothing.
const char* const kDedupRuns = R"SQL(
CREATE TABLE dedup_runs (
  feature_set_id INTEGER PRIMARY KEY REFERENCES feature_sets(id) ON DELETE CASCADE,
  threshold      REAL,
  suggested      INTEGER NOT NULL,
  explanation    TEXT NOT NULL,
  images         INTEGER NOT NULL,
  videos         INTEGER NOT NULL,
  removed        INTEGER NOT NULL,
  created_at     INTEGER NOT NULL
);
)SQL";

// Version 6: the majority class of a job's training labels, so pooled
// majority baselines can be recomputed from the database (M19).
const char* const kTrainingMajority = R"SQL(
ALTER TABLE train_results ADD COLUMN training_majority_class INTEGER NOT NULL DEFAULT -1;
)SQL";

// Version 7: split protocols (train.split). Each training job keeps the
// media items it trained on, for the leakage audit. Sweeps recorded before
// the key existed ran the paper's protocol: their identities are stamped
// `media` (with the time gap at its default), and `legacy_split` remembers
// it, so rerunning such a sweep with a spec that does not set train.split
// keeps `media` instead of switching to the new default and recomputing.
const char* const kSplitProtocols = R"SQL(
ALTER TABLE train_results ADD COLUMN training_media_ids BLOB;
ALTER TABLE sweeps ADD COLUMN legacy_split TEXT;
UPDATE sweeps SET legacy_split = 'media',
  spec_text = (SELECT json_object('points', json_group_array(
                 json_set(p.value, '$."train.split"', 'media', '$."train.time_gap_weeks"', 'auto')))
               FROM json_each(sweeps.spec_text, '$.points') AS p);
)SQL";

// Version 8: the coordinator lease (orchestrator/coordinator_lease.h). At
// most one row: the coordinator that may write this database, and a counter
// it increments every few seconds while alive. Others judge it gone when the
// counter stops changing, never by comparing its clock with theirs; its times
// are for people to read. `process_start` is the holder's process start in
// the kernel's clock ticks since boot, so a process on the same host (same
// host name and boot id) can tell the holder from a later one with its pid.
const char* const kCoordinatorLease = R"SQL(
CREATE TABLE coordinator_lease (
  id            INTEGER PRIMARY KEY CHECK (id = 1),
  holder        TEXT NOT NULL,
  host          TEXT NOT NULL,
  boot_id       TEXT NOT NULL,
  pid           INTEGER NOT NULL,
  process_start INTEGER NOT NULL,
  started_at    INTEGER NOT NULL,
  heartbeat     INTEGER NOT NULL,
  renewed_at    INTEGER NOT NULL,
  heartbeat_ms  INTEGER NOT NULL CHECK (heartbeat_ms > 0),
  lifetime_ms   INTEGER NOT NULL CHECK (lifetime_ms > 0)
);
)SQL";

// Version 9: crash loops (docs/RELIABILITY.md). A job's attempt counts from
// its dispatch; it is given back only when its worker confirmed that a stop
// signal reached it (`stop_reached_at`, cleared at each dispatch) before the
// job was lost. `preemptions` and `losses` count how often the job was left
// running with and without such a stop.
const char* const kJobLosses = R"SQL(
ALTER TABLE jobs ADD COLUMN preemptions INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN losses INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN stop_reached_at INTEGER;
)SQL";

// Issue 18: the caption of each post, kept for the context features (caption
// length, hashtags, mentions; worker/context/). Empty when the input has none.
const char* const kPostCaptions = R"SQL(
ALTER TABLE posts ADD COLUMN caption TEXT NOT NULL DEFAULT '';
)SQL";

// Issue 19: the profiles of a study (profile.paths) and, for each one that
// could not be prepared, why, so the report names it.
const char* const kStudyProfiles = R"SQL(
CREATE TABLE study_profiles (
  sweep_id  INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
  name      TEXT NOT NULL,
  directory TEXT NOT NULL,
  failure   TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (sweep_id, name)
);
)SQL";

// Issue 22: train.calibration: temperature kept with the models. One row per
// (sweep, sweep point, experiment, K) whose training jobs are all done: the
// temperature `predict` divides the log of the kept models' mean
// probabilities by, fitted by the coordinator on every best-epoch
// out-of-fold prediction of the group (`items` of them, from `jobs` jobs).
const char* const kModelTemperatures = R"SQL(
CREATE TABLE model_temperatures (
  sweep_id    INTEGER NOT NULL REFERENCES sweeps(id) ON DELETE CASCADE,
  point       TEXT NOT NULL,
  experiment  TEXT NOT NULL,
  classes     INTEGER NOT NULL,
  temperature REAL NOT NULL CHECK (temperature > 0),
  jobs        INTEGER NOT NULL,
  items       INTEGER NOT NULL,
  fitted_at   INTEGER NOT NULL,
  PRIMARY KEY (sweep_id, point, experiment, classes)
);
)SQL";

// Issue 19: a search's pruner (successive halving) stops trials, and their
// jobs end `pruned`, which is neither done nor failed. The status column's
// CHECK names its values, and SQLite cannot alter a CHECK: the table is
// rebuilt (foreign keys off, see Migration::rebuilds_tables) with every
// column, row id and index it had, so the tables that reference jobs(id)
// still find their rows.
const char* const kPrunedJobs = R"SQL(
CREATE TABLE jobs_with_pruned (
  id           INTEGER PRIMARY KEY,
  job_key      TEXT NOT NULL UNIQUE,
  stage        TEXT NOT NULL,
  params       TEXT NOT NULL,
  seed         INTEGER NOT NULL,
  status       TEXT NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'running', 'done', 'failed', 'interrupted', 'pruned')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  error        TEXT,
  worker       TEXT,
  created_at   INTEGER NOT NULL,
  started_at   INTEGER,
  finished_at  INTEGER,
  seconds      REAL,
  preemptions  INTEGER NOT NULL DEFAULT 0,
  losses       INTEGER NOT NULL DEFAULT 0,
  stop_reached_at INTEGER
);
INSERT INTO jobs_with_pruned (id, job_key, stage, params, seed, status, attempts, error, worker, created_at,
                              started_at, finished_at, seconds, preemptions, losses, stop_reached_at)
  SELECT id, job_key, stage, params, seed, status, attempts, error, worker, created_at,
         started_at, finished_at, seconds, preemptions, losses, stop_reached_at FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_with_pruned RENAME TO jobs;
CREATE INDEX jobs_by_status ON jobs(status);
)SQL";

// Issue 21: every candidate pair the dedup stage decided on, the ones
// pixel verification rejected included, so the report can show near-misses
// (same-template posts kept apart) beside the duplicates it removed, and the
// leakage audit can use the verified decision instead of the feature rule.
const char* const kDedupCandidates = R"SQL(
CREATE TABLE dedup_candidates (
  feature_set_id   INTEGER NOT NULL REFERENCES feature_sets(id) ON DELETE CASCADE,
  first_media_id   INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
  second_media_id  INTEGER NOT NULL REFERENCES media(id) ON DELETE CASCADE,
  media_type       TEXT NOT NULL,
  distance         REAL NOT NULL,
  verified         INTEGER NOT NULL,
  kept             INTEGER NOT NULL,
  block_difference REAL,
  reason           TEXT NOT NULL,
  PRIMARY KEY (feature_set_id, first_media_id, second_media_id)
);
)SQL";

// Checkpoints larger than a few hundred KB (fine-tuned models, issue 20)
// live in files beside the database, named by their SHA-256, which the row
// keeps instead of the bytes (checkpoint_files.h). NULL: the bytes are in data.
const char* const kCheckpointFiles = R"SQL(
ALTER TABLE checkpoints ADD COLUMN file_sha256 TEXT;
)SQL";

// Issue 21: the 32-pixel pictures pixel verification's glance starts from,
// written by extraction beside the features of the same set (storage/glance_tables.h).
const char* const kGlanceSquares = R"SQL(
CREATE TABLE glance_squares (
  feature_set_id INTEGER NOT NULL REFERENCES feature_sets(id) ON DELETE CASCADE,
  content_hash   TEXT NOT NULL,
  side           INTEGER NOT NULL CHECK (side > 0),
  pixels         BLOB NOT NULL,
  PRIMARY KEY (feature_set_id, content_hash)
);
)SQL";

}  // namespace

const std::vector<Migration>& schema_migrations() {
  static const std::vector<Migration> migrations = {
      {"data stage: profiles, posts, media, followers, labels", kDataStage},
      {"feature store and near duplicates", kFeatureStore},
      {"sweeps, jobs, epochs, results, predictions, checkpoints", kJobs},
      {"sweep points of jobs", kSweepPoints},
      {"near-duplicate runs", kDedupRuns},
      {"training majority class", kTrainingMajority},
      {"split protocols: training items, legacy split of old sweeps", kSplitProtocols},
      {"coordinator lease", kCoordinatorLease},
      {"preemptions and losses of jobs", kJobLosses},
      {"captions of posts", kPostCaptions},
      {"profiles of studies", kStudyProfiles},
      {"temperatures of kept models", kModelTemperatures},
      {"pruned jobs", kPrunedJobs, true},
      {"verified duplicate candidates", kDedupCandidates},
      {"checkpoint files beside the database", kCheckpointFiles},
      {"glance squares of extracted pictures", kGlanceSquares},
  };
  return migrations;
}

}  // namespace popsweep::storage
