#include "orchestrator/stages/dedup_stage.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "common/error.h"
#include "common/fault_points.h"
#include "storage/database.h"
#include "storage/dedup_candidate_tables.h"
#include "storage/feature_tables.h"
#include "storage/profile_tables.h"
#include "worker/features/duplicate_resolution.h"
#include "worker/features/feature_set_key.h"
#include "worker/features/near_duplicate_search.h"

namespace popsweep::orchestrator {
namespace {

// M9's removals from the search's kept pairs. The resolution keeps, in each
// group, the media its total order prefers and reports each removed media's
// closest pair, so it does not depend on how the media are numbered.
std::vector<storage::DuplicateRow> removals_of(storage::Database& db,
                                               const features::NearDuplicateReport& report) {
  std::map<std::int64_t, int> index_of;
  std::vector<features::DuplicateCandidate> candidates;
  std::vector<features::MatchedPair> matched;
  for (const features::DuplicatePair& pair : report.pairs) {
    if (!pair.kept) continue;
    for (const std::int64_t id : {pair.first_media_id, pair.second_media_id}) {
      if (index_of.emplace(id, static_cast<int>(index_of.size())).second) candidates.push_back({id});
    }
    matched.push_back({index_of.at(pair.first_media_id), index_of.at(pair.second_media_id), pair.distance});
  }
  if (matched.empty()) return {};
  for (const storage::MediaOfPost& media : storage::load_media_of_posts(db)) {
    const auto found = index_of.find(media.media_id);
    if (found == index_of.end()) continue;
    candidates[static_cast<std::size_t>(found->second)] = {media.media_id, media.post_kind == "carousel",
                                                           media.posted_at};
  }
  std::vector<storage::DuplicateRow> rows;
  for (const features::Removal& r : features::resolve_duplicates(candidates, matched))
    rows.push_back({r.removed_media_id, r.kept_media_id, r.distance, report.threshold.value_or(0)});
  if (static_cast<int>(rows.size()) != report.removed) {
    throw Error(fmt::format("near-duplicate search reported {} removals but its kept pairs resolve to {}",
                            report.removed, rows.size()));
  }
  return rows;
}

std::vector<storage::DedupCandidateRow> candidate_rows(const features::NearDuplicateReport& report,
                                                       bool verified) {
  std::vector<storage::DedupCandidateRow> rows;
  for (const features::DuplicatePair& pair : report.pairs) {
    rows.push_back({pair.first_media_id, pair.second_media_id, pair.media_type, pair.distance, verified,
                    pair.kept, pair.block_difference, pair.reason});
  }
  return rows;
}

// A profile's media file names are unique (its posts' ids), and short.
std::string file_name(const std::string& path) { return std::filesystem::path(path).filename().string(); }

// The stage's log: what it removed and, with verification, the closest
// pairs it kept apart, by file, so that a reader of `popsweep run` or
// `popsweep demo` sees distinct look-alike posts (a template with other
// words) survive; the report's pair sheet shows them beside the duplicates.
void log_outcome(const features::NearDuplicateReport& report) {
  constexpr std::size_t kNamedNearMisses = 5;
  spdlog::info("dedup: {} media removed as near duplicates{}", report.removed,
               report.rejected > 0 ? fmt::format("; pixel verification kept {} of {} candidate pairs apart "
                                                 "(both media kept), the closest:",
                                                 report.rejected, report.pairs.size())
                                   : std::string());
  if (report.verification.glanced_pictures > 0)
    spdlog::info("dedup: {}", features::describe_phases(report.verification));
  std::vector<const features::DuplicatePair*> rejected;
  for (const features::DuplicatePair& pair : report.pairs)
    if (!pair.kept) rejected.push_back(&pair);
  std::stable_sort(rejected.begin(), rejected.end(),
                   [](const auto* a, const auto* b) { return a->distance < b->distance; });
  if (rejected.size() > kNamedNearMisses) rejected.resize(kNamedNearMisses);
  for (const features::DuplicatePair* pair : rejected) {
    const std::string block = pair->block_difference
                                  ? fmt::format(", worst block {:.1f} grey levels", *pair->block_difference)
                                  : "";
    spdlog::info("dedup:   kept apart: {} / {} (distance {:.4g}{}: {})", file_name(pair->first_path),
                 file_name(pair->second_path), pair->distance, block, pair->reason);
  }
}

}  // namespace

features::DedupSettings dedup_settings_from_params(const nlohmann::json& dedup) {
  features::DedupSettings settings;
  if (dedup.at("threshold").is_number()) settings.threshold = dedup.at("threshold").get<double>();
  if (dedup.contains("verify")) {
    const nlohmann::json& verify = dedup.at("verify");
    settings.verify = true;
    settings.verification.allow_mirror = verify.at("mirror").get<bool>();
    settings.verification.max_block_difference = verify.at("max_block_difference").get<double>();
    settings.candidate_factor = verify.at("candidate_factor").get<double>();
  }
  return settings;
}

features::NearDuplicateReport clean_near_duplicates(storage::Database& db, std::int64_t feature_set_id,
                                                    const features::DedupSettings& settings) {
  const features::NearDuplicateReport report = features::find_near_duplicates(db, feature_set_id, settings);
  const std::vector<storage::DuplicateRow> removals = removals_of(db, report);
  storage::Transaction transaction(db);
  storage::replace_duplicates(db, feature_set_id, removals);
  storage::replace_dedup_candidates(db, feature_set_id, candidate_rows(report, settings.verify));
  fault_point("dedup.before_commit");
  storage::save_dedup_run(db, {feature_set_id, report.threshold, report.suggested, report.explanation,
                               report.images, report.videos, report.removed});
  transaction.commit();
  return report;
}

void DedupStage::run_on_coordinator(const storage::JobRow& job) {
  const nlohmann::json params = nlohmann::json::parse(job.params);
  const std::int64_t set_id =
      storage::ensure_feature_set(db_, features::feature_set_key(params.at("features")));
  const nlohmann::json& dedup = params.at("dedup");
  if (!dedup.at("enabled").get<bool>()) {
    storage::Transaction transaction(db_);
    storage::replace_duplicates(db_, set_id, {});
    storage::replace_dedup_candidates(db_, set_id, {});
    storage::save_dedup_run(db_, {set_id, std::nullopt, false, "near-duplicate removal disabled", 0, 0, 0});
    transaction.commit();
    return;
  }
  log_outcome(clean_near_duplicates(db_, set_id, dedup_settings_from_params(dedup)));
}

}  // namespace popsweep::orchestrator
