// `popsweep predict` for models that read the context of a post
// (train.inputs context or visual+context, issue 18): the candidates'
// planned time, caption and carousel, from flags or a CSV (docs/INPUT.md),
// and the scoring that joins them to the pictures. Kept apart from
// predict_command.cc, which only calls in here.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "reports/candidate_scoring.h"
#include "reports/trained_models.h"

namespace popsweep::storage {
class Database;
}

namespace popsweep::app {

struct PredictContextOptions {
  std::string posted_at;  // ISO 8601
  std::string caption;
  int carousel_size = 1;
  int carousel_position = 0;
  std::string csv_path;  // columns file, posted_at, [caption], [carousel_size], [carousel_position]
  bool given() const { return !posted_at.empty() || !csv_path.empty(); }
};

void add_predict_context_options(CLI::App& command, PredictContextOptions& options);

// True when a kept model reads the context vector.
bool models_read_context(const reports::KeptModels& models);

// Scores `files` with models that read context, each candidate's context
// computed on the profile's timeline (worker/context/candidate_context.h)
// in the time zone and history length the models were trained with. A
// ConfigError, before any file is read, when no context was given, or the
// CSV lacks a candidate.
reports::CandidateScores score_candidates_with_context(storage::Database& db,
                                                       const reports::KeptModels& models,
                                                       const std::vector<std::string>& files,
                                                       const PredictContextOptions& options);

}  // namespace popsweep::app
