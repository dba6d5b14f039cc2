#include "storage/checkpoint_file_check.h"

#include <fmt/format.h>

#include <filesystem>

#include "storage/checkpoint_files.h"
#include "storage/database.h"

namespace popsweep::storage {
namespace {

std::string lines(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += "\n    " + item;
  return text;
}

bool has_file_column(Database& db) {
  Statement columns = db.prepare("SELECT 1 FROM pragma_table_info('checkpoints') WHERE name = 'file_sha256'");
  return columns.step();
}

// Deletes the rows naming files that are missing or corrupt, and the
// corrupt files (no row names them any more).
void delete_broken_rows(Database& db) {
  Statement rows = db.prepare("SELECT DISTINCT file_sha256 FROM checkpoints WHERE file_sha256 IS NOT NULL");
  std::vector<std::string> broken;
  while (rows.step()) {
    const std::string sha256 = rows.column_text(0);
    try {
      read_checkpoint_file(db, sha256);
    } catch (const Error&) {
      broken.push_back(sha256);
    }
  }
  rows.reset();
  Transaction transaction(db);
  for (const std::string& sha256 : broken)
    db.prepare("DELETE FROM checkpoints WHERE file_sha256 = ?").bind(1, sha256).run();
  transaction.commit();
  for (const std::string& sha256 : broken) {
    std::error_code ignored;
    std::filesystem::remove(checkpoint_file_path(db, sha256), ignored);
  }
}

}  // namespace

std::vector<Finding> check_checkpoint_files(Database& db, bool repair) {
  if (!has_file_column(db)) return {};
  const CheckpointFileAudit audit = audit_checkpoint_files(db);
  std::vector<Finding> findings;
  const bool broken = !audit.missing.empty() || !audit.corrupt.empty();
  if (!audit.missing.empty()) {
    findings.push_back(
        {"error", fmt::format("{} checkpoint files missing:{}", audit.missing.size(), lines(audit.missing)),
         "their checkpoint rows deleted; jobs without a kept model are trained again", false});
  }
  if (!audit.corrupt.empty()) {
    findings.push_back({"error",
                        fmt::format("{} checkpoint files corrupt (SHA-256 differs from the name):{}",
                                    audit.corrupt.size(), lines(audit.corrupt)),
                        "their checkpoint rows deleted; jobs without a kept model are trained again", false});
  }
  if (repair && broken) {
    delete_broken_rows(db);
    for (Finding& finding : findings) finding.repaired = true;
  }
  if (!audit.orphans.empty()) {
    Finding orphans{"note",
                    fmt::format("{} files in {} that no checkpoint references:{}", audit.orphans.size(),
                                checkpoint_folder(db), lines(audit.orphans)),
                    "harmless (left by a crash or a replaced checkpoint); removed to save space", false};
    if (repair) {
      remove_checkpoint_orphans(audit);
      orphans.repaired = true;
    }
    findings.push_back(std::move(orphans));
  }
  return findings;
}

}  // namespace popsweep::storage
