// Turns the points of an experiment spec into the jobs of a sweep and their
// dependencies: label, then extract (split into shards), then dedup, then
// training, after the coordinator has ingested the profile. A job's key is
// a hash of its stage and of every parameter that can change its result, so
// a grid point shared by several sweep points (or several sweeps) is one
// job, run once.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "orchestrator/spec.h"

namespace popsweep::orchestrator {

// Stages run by the coordinator itself (they write the database and are
// cheap) versus those sent to workers.
bool stage_runs_on_coordinator(const std::string& stage);

struct PlannedJob {
  std::string stage;  // label, extract, dedup, train, noop
  nlohmann::json params;
  std::int64_t seed = 0;
  std::vector<std::string> depends_on;  // keys
  // The swept keys' values at the sweep point that produced the job (JSON
  // object; empty for jobs shared by every point). Not part of the key.
  nlohmann::json point = nlohmann::json::object();

  std::string key() const;
};

// What the graph needs to know about the ingested profile and the weights.
struct GraphInputs {
  std::string profile_fingerprint;  // changes whenever posts, media or followers change
  std::string weights_hash;         // SHA-256 of the weights (file or builtin), or "random:<seed>"
};

// `swept_values[i]` are the swept keys' values of points[i] (may be empty).
std::vector<PlannedJob> plan_jobs(const std::vector<Spec>& points, const GraphInputs& inputs,
                                  const std::vector<nlohmann::json>& swept_values = {});

// The parameters of shared pieces, as they appear in job params.
nlohmann::json label_params(const Spec& spec, int classes, const GraphInputs& inputs);
nlohmann::json feature_set_params(const Spec& spec, const GraphInputs& inputs);
// Content identity of the backbone weights, for job keys: the SHA-256 of the
// file or of a builtin's bytes, or the seed of random weights. Checks the
// weights first (check_weights_fit_backbone, and that a file exists).
std::string weights_identity(const Spec& spec);
// ConfigError naming features.weights and features.backbone when the weights
// are a builtin made for another backbone, or an unknown builtin.
void check_weights_fit_backbone(const Spec& spec);
nlohmann::json dedup_params(const Spec& spec);
// One training job's parameters and seed, the same whether the job comes
// from a sweep or from `popsweep train`, so both find each other's results.
nlohmann::json train_job_params(const Spec& spec, const nlohmann::json& labels, const nlohmann::json& features,
                                const std::string& experiment, int classes, int fold, int repeat);
std::int64_t train_job_seed(const Spec& spec, const nlohmann::json& train_params);

// A stable 64-bit seed from text (SHA-256 prefix): the same on every machine
// and build, unlike std::hash.
std::int64_t stable_seed(const std::string& text);

}  // namespace popsweep::orchestrator
