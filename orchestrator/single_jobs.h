// One pipeline job run in this process, outside a sweep: `popsweep extract`,
// `popsweep dedup` and `popsweep train`. Each builds its parameters from a
// spec (docs/SPEC.md: a spec file or the defaults, plus KEY=VALUE overrides)
// exactly as a sweep would, so the job gets the same key: a sweep later
// finds it done, and a job a sweep already ran is not redone. The work
// itself is the stages' own code, recorded in the same transactions.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace popsweep::orchestrator {

struct SingleJobOptions {
  std::string database;
  std::string spec_path;               // empty: the defaults of docs/SPEC.md
  std::vector<std::string> overrides;  // KEY=VALUE, as for `popsweep run`
};

// M11-M13: embeds every media file that has no features yet under the
// spec's features.* settings; unreadable files are recorded and listed.
void run_single_extract(const SingleJobOptions& options, std::ostream& out);

// M7-M9 over those features; `pairs_csv` / `histogram_csv` when not empty.
void run_single_dedup(const SingleJobOptions& options, const std::string& pairs_csv, const std::string& histogram_csv,
                      std::ostream& out);

struct TrainJobChoice {
  std::string experiment;
  int classes = 2;
  int fold = 0;
  int repeat = 0;
};

// M14-M19: one training job; labels (M1-M5) are computed first when missing.
void run_single_train(const SingleJobOptions& options, const TrainJobChoice& choice, std::ostream& out);

}  // namespace popsweep::orchestrator
