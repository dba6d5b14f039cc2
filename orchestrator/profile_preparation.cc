#include "orchestrator/profile_preparation.h"

#include <filesystem>

#include "common/error.h"
#include "common/file_util.h"
#include "storage/database.h"
#include "worker/data/ingest.h"
#include "worker/data/profile_fingerprint.h"
#include "worker/synth/synth_profile.h"

namespace popsweep::orchestrator {

void ensure_synthetic_profile(const std::string& preset, std::int64_t seed, std::int64_t template_posts,
                              const std::string& directory) {
  if (file_exists(directory + "/truth.json") && file_exists(directory + "/posts.csv")) return;
  // A half-written folder (truth.json is written last) is regenerated from scratch.
  synth::SynthOptions options;
  options.preset = preset;
  options.seed = static_cast<std::uint64_t>(seed);
  options.template_posts = static_cast<int>(template_posts);
  options.output_dir = directory;
  options.force = true;
  synth::generate_synthetic_profile(options);
}

PreparedProfile prepare_profile(const Spec& spec, const std::string& database_path) {
  PreparedProfile prepared;
  data::IngestOptions ingest;
  if (!spec.profile.synth_preset.empty()) {
    const std::filesystem::path beside = std::filesystem::absolute(database_path).parent_path();
    // Template posts make another profile of the same preset and seed: another folder.
    const std::string templates = spec.profile.synth_template_posts > 0
                                      ? "-templates-" + std::to_string(spec.profile.synth_template_posts)
                                      : "";
    prepared.directory = (beside / ("synth-" + spec.profile.synth_preset + "-" +
                                    std::to_string(spec.profile.synth_seed) + templates))
                             .string();
    ensure_synthetic_profile(spec.profile.synth_preset, spec.profile.synth_seed, spec.profile.synth_template_posts,
                             prepared.directory);
    ingest.format = "popsweep";
  } else {
    prepared.directory = spec.profile.path;
    ingest.format = spec.profile.format;
    ingest.followers_csv = spec.profile.followers;
    ingest.exclusion_list = spec.profile.exclude;
  }
  ingest.profile_dir = prepared.directory;
  prepared.summary = data::describe(data::ingest_profile(ingest, database_path));
  storage::Database db = storage::Database::open(database_path);
  prepared.fingerprint = data::profile_fingerprint(db);
  return prepared;
}

}  // namespace popsweep::orchestrator
