#include "app/single_job_options.h"

namespace popsweep::app {

const std::vector<std::pair<std::string, std::string>>& feature_flags() {
  // The keys a feature set depends on, and how it is computed.
  static const std::vector<std::pair<std::string, std::string>> flags = {
      {"--backbone", "features.backbone"},         {"--weights", "features.weights"},
      {"--weights-seed", "features.weights_seed"}, {"--image-size", "features.image_size"},
      {"--views", "features.views"},               {"--batch", "features.batch"},
      {"--seed", "seed"},                          {"--device", "run.device"},
      {"--threads", "run.threads_per_worker"}};
  return flags;
}

void add_single_job_options(CLI::App& command, const std::shared_ptr<SingleJobFlags>& flags,
                            const std::vector<std::pair<std::string, std::string>>& flag_keys) {
  command.add_option("--db", flags->options.database, "database the profile was ingested into")
      ->required()
      ->check(CLI::ExistingFile);
  command.add_option("--spec", flags->options.spec_path, "take the settings from this spec (docs/SPEC.md)")
      ->check(CLI::ExistingFile);
  command.add_option("overrides", flags->options.overrides, "KEY=VALUE spec overrides, e.g. features.views=4");
  for (const auto& [flag, key] : flag_keys) {
    const std::string spec_key = key;
    command.add_option_function<std::string>(
        flag, [flags, spec_key](const std::string& value) { flags->flag_values.emplace_back(spec_key, value); },
        "sets " + spec_key + " (docs/SPEC.md)");
  }
}

orchestrator::SingleJobOptions resolved_options(const SingleJobFlags& flags) {
  orchestrator::SingleJobOptions options = flags.options;
  for (const auto& [key, value] : flags.flag_values) options.overrides.push_back(key + "=" + value);
  return options;
}

}  // namespace popsweep::app
