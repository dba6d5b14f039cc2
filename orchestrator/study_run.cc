#include "orchestrator/study_run.h"

#include <nlohmann/json.hpp>

#include "common/error.h"
#include "storage/database.h"
#include "worker/data/ingest.h"
#include "worker/data/profile_fingerprint.h"

namespace popsweep::orchestrator {
namespace {

// The fingerprint a job's parameters carry: label, extract and dedup jobs
// name it under "profile", training jobs under their labels.
std::string fingerprint_of_job(const storage::JobRow& job) {
  const nlohmann::json params = nlohmann::json::parse(job.params, nullptr, false);
  if (!params.is_object()) return "";
  if (params.contains("profile") && params.at("profile").is_string())
    return params.at("profile").get<std::string>();
  if (params.contains("labels") && params.at("labels").is_object())
    return params.at("labels").value("profile", "");
  return "";
}

class ProfileScopedHandlers : public StageHandlers {
 public:
  ProfileScopedHandlers(StageHandlers& inner, std::map<std::string, std::int64_t> profile_of_fingerprint)
      : inner_(inner), profile_of_fingerprint_(std::move(profile_of_fingerprint)) {}

  void run_on_coordinator(const storage::JobRow& job) override {
    const storage::ProfileScope scope(profile_of(job));
    inner_.run_on_coordinator(job);
  }
  RemoteDispatch prepare_remote(const storage::JobRow& job) override {
    const storage::ProfileScope scope(profile_of(job));
    return inner_.prepare_remote(job);
  }
  // A gang's size comes from the job's parameters, not from the database.
  int ranks_of(const storage::JobRow& job) override { return inner_.ranks_of(job); }
  // Datasets are built in prepare_remote, under the job's scope.
  Message dataset_message(const std::string& key) override { return inner_.dataset_message(key); }
  void record_result(const storage::JobRow& job, const Message& result) override {
    const storage::ProfileScope scope(profile_of(job));
    inner_.record_result(job, result);
  }
  void record_partial(const storage::JobRow& job, const Message& partial) override {
    const storage::ProfileScope scope(profile_of(job));
    inner_.record_partial(job, partial);
  }
  void record_interruption(const storage::JobRow& job, const Message& message) override {
    const storage::ProfileScope scope(profile_of(job));
    inner_.record_interruption(job, message);
  }

 private:
  // A job of no known profile (a noop) runs unscoped.
  std::int64_t profile_of(const storage::JobRow& job) const {
    const auto found = profile_of_fingerprint_.find(fingerprint_of_job(job));
    return found == profile_of_fingerprint_.end() ? 0 : found->second;
  }

  StageHandlers& inner_;
  const std::map<std::string, std::int64_t> profile_of_fingerprint_;
};

}  // namespace

std::vector<PreparedStudyProfile> prepare_study_profiles(const std::vector<StudyProfile>& profiles,
                                                         const Spec& spec, const std::string& database_path,
                                                         std::ostream& out) {
  std::vector<PreparedStudyProfile> prepared;
  std::map<std::string, std::string> name_of_fingerprint;
  for (const StudyProfile& profile : profiles) {
    PreparedStudyProfile one{profile, 0, "", ""};
    try {
      data::IngestOptions ingest;
      ingest.profile_dir = profile.directory;
      ingest.format = spec.profile.format;
      ingest.followers_csv = spec.profile.followers;
      ingest.exclusion_list = spec.profile.exclude;
      ingest.name = profile.name;
      ingest.among_other_profiles = true;
      const std::string summary = data::describe(data::ingest_profile(ingest, database_path));
      out << "profile " << profile.name << ": " << summary;
      storage::Database db = storage::Database::open(database_path);
      const std::optional<storage::ProfileRow> row = storage::find_profile_named(db, profile.name);
      if (!row) throw Error("ingest recorded no profile named " + profile.name);
      const storage::ProfileScope scope(row->id);
      one.fingerprint = data::profile_fingerprint(db);
      const auto twin = name_of_fingerprint.emplace(one.fingerprint, profile.name);
      if (!twin.second) {
        throw ConfigError("holds the same posts, media and followers as profile " + twin.first->second +
                          " (its results would be the same jobs)");
      }
      one.profile_id = row->id;
    } catch (const std::exception& error) {
      one.fingerprint.clear();
      one.failure = error.what();
      out << "profile " << profile.name << " (" << profile.directory << ") FAILED: " << one.failure << "\n";
    }
    prepared.push_back(std::move(one));
  }
  return prepared;
}

std::vector<storage::StudyProfileRow> study_profile_rows(const std::vector<PreparedStudyProfile>& prepared) {
  std::vector<storage::StudyProfileRow> rows;
  for (const PreparedStudyProfile& one : prepared)
    rows.push_back({one.profile.name, one.profile.directory, one.failure});
  return rows;
}

std::string study_summary(const std::vector<PreparedStudyProfile>& prepared) {
  int ready = 0;
  std::string failed;
  for (const PreparedStudyProfile& one : prepared) {
    if (one.failure.empty()) {
      ++ready;
    } else {
      failed += (failed.empty() ? "" : "; ") + one.profile.name + " (" + one.failure + ")";
    }
  }
  std::string text =
      "study: " + std::to_string(ready) + " of " + std::to_string(prepared.size()) + " profile(s) ready";
  if (!failed.empty()) text += "; failed: " + failed;
  return text + "\n";
}

std::unique_ptr<StageHandlers> scoped_to_job_profile(StageHandlers& inner,
                                                     const std::vector<PreparedStudyProfile>& prepared) {
  std::map<std::string, std::int64_t> profile_of_fingerprint;
  for (const PreparedStudyProfile& one : prepared) {
    if (one.failure.empty()) profile_of_fingerprint[one.fingerprint] = one.profile_id;
  }
  return std::make_unique<ProfileScopedHandlers>(inner, std::move(profile_of_fingerprint));
}

}  // namespace popsweep::orchestrator
