// The options every single-job command shares (extract, dedup, train): the
// database, an optional spec, KEY=VALUE overrides, and the common spec keys
// as plain flags for convenience (they become overrides).
#pragma once

#include <CLI/CLI.hpp>

#include <memory>

#include "orchestrator/single_jobs.h"

namespace popsweep::app {

struct SingleJobFlags {
  orchestrator::SingleJobOptions options;
  std::vector<std::pair<std::string, std::string>> flag_values;  // (spec key, value) for flags given
};

// Flags for the features.* keys (and seed, device, threads) that extract,
// dedup and train share, so all three name the same feature set.
const std::vector<std::pair<std::string, std::string>>& feature_flags();

// Adds --db, --spec, overrides and a flag per listed spec key
// (e.g. {"--weights", "features.weights"}).
void add_single_job_options(CLI::App& command, const std::shared_ptr<SingleJobFlags>& flags,
                            const std::vector<std::pair<std::string, std::string>>& flag_keys);

// The options with every given flag turned into an override (flags win over the spec file).
orchestrator::SingleJobOptions resolved_options(const SingleJobFlags& flags);

}  // namespace popsweep::app
