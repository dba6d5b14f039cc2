#include "reports/dedup_rule.h"

#include <cstdlib>
#include <filesystem>
#include <memory>

#include "common/error.h"
#include "storage/database.h"
#include "worker/features/near_duplicate_search.h"

namespace popsweep::reports {
namespace {

std::string sql_text(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  return quoted + "'";
}

class ScratchCopy {
 public:
  explicit ScratchCopy(storage::Database& source) : source_(source) {}
  ~ScratchCopy() {
    copy_.reset();
    std::error_code ignored;
    if (!folder_.empty()) std::filesystem::remove_all(folder_, ignored);
  }
  ScratchCopy(const ScratchCopy&) = delete;
  ScratchCopy& operator=(const ScratchCopy&) = delete;

  storage::Database& database() {
    if (copy_) return *copy_;
    std::string pattern = (std::filesystem::temp_directory_path() / "popsweep-report-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw Error("leakage audit: cannot create a scratch folder in " + pattern);
    folder_ = pattern;
    const std::string path = (std::filesystem::path(folder_) / "scratch.db").string();
    source_.execute("VACUUM INTO " + sql_text(path));
    copy_ = std::make_unique<storage::Database>(storage::Database::open(path));
    return *copy_;
  }

 private:
  storage::Database& source_;
  std::string folder_;
  std::unique_ptr<storage::Database> copy_;
};

}  // namespace

DuplicateRule dedup_stage_rule(storage::Database& db) {
  auto scratch = std::make_shared<ScratchCopy>(db);
  return [scratch](std::int64_t feature_set_id, std::optional<double> threshold) {
    const features::NearDuplicateReport report =
        features::remove_near_duplicates(scratch->database(), feature_set_id, threshold);
    DuplicateMatches matches;
    matches.threshold = report.threshold;
    matches.suggested = report.suggested;
    for (const features::DuplicatePair& pair : report.pairs)
      matches.pairs.emplace_back(pair.first_media_id, pair.second_media_id);
    return matches;
  };
}

}  // namespace popsweep::reports
