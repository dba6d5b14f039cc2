// The coordinator's side of feature extraction (M11-M13): a shard's media
// that still lack features for the job's feature set go to a worker; the
// features come back batch by batch ("partial" messages) and are committed
// as they arrive, so a lost worker costs at most the batch in flight and
// the retried job embeds only what is still missing. Unreadable files are
// recorded as media problems and skipped, never fatal.
#pragma once

#include <map>
#include <string>

#include "orchestrator/pipeline_handlers.h"

namespace popsweep::orchestrator {

struct ExtractionOptions {
  // Weights file per feature set (the JSON of the job's "features" params),
  // since only its hash is part of the job.
  std::map<std::string, std::string> weights_path;
  int batch = 32;
};

class ExtractStage : public CoordinatorStage {
 public:
  ExtractStage(storage::Database& db, ExtractionOptions options) : db_(db), options_(std::move(options)) {}
  RemoteDispatch prepare_remote(const storage::JobRow& job) override;
  void record_partial(const storage::JobRow& job, const Message& partial) override;
  void record_result(const storage::JobRow& job, const Message& result) override;
  // Media in the last job dispatched (what still lacked features), for progress.
  long dispatched_media() const { return dispatched_media_; }

 private:
  storage::Database& db_;
  ExtractionOptions options_;
  long dispatched_media_ = 0;
};

// Message layout shared with the worker side (worker/features):
//   header "features": [[content_hash, role, view, rows], ...] with their
//   values concatenated in blob 0; "videos": [[content_hash, duration,
//   frame_rate, width, height], ...]; "problems": [[content_hash, reason], ...].
void record_extracted(storage::Database& db, std::int64_t feature_set_id, const Message& message);

}  // namespace popsweep::orchestrator
