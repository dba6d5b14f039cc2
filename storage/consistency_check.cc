#include "storage/consistency_check.h"

#include <fmt/format.h>

#include <optional>
#include <set>

#include "storage/database.h"

namespace popsweep::storage {
namespace {

std::vector<std::int64_t> ids_of(Database& db, const std::string& sql) {
  Statement q = db.prepare(sql);
  std::vector<std::int64_t> ids;
  while (q.step()) ids.push_back(q.column_int(0));
  return ids;
}

std::string id_list(const std::vector<std::int64_t>& ids) {
  std::string text;
  for (size_t i = 0; i < ids.size() && i < 10; ++i) text += (i ? ", " : "") + std::to_string(ids[i]);
  if (ids.size() > 10) text += fmt::format(" and {} more", ids.size() - 10);
  return text;
}

// What a repair needs besides the offending ids.
struct RepairContext {
  Database& db;
  const FeatureSetOfExtraction& feature_set_of_extraction;
};

void reset_jobs(RepairContext& context, const std::vector<std::int64_t>& ids) {
  Database& db = context.db;
  for (const std::int64_t id : ids) {
    for (const char* table : {"train_results", "epochs", "predictions", "checkpoints"}) {
      db.prepare(std::string("DELETE FROM ") + table + " WHERE job_id = ?").bind(1, id).run();
    }
    db.prepare("UPDATE jobs SET status = 'pending', attempts = 0, error = NULL WHERE id = ?").bind(1, id).run();
  }
}

// A rule: a query that lists offending ids, and what to do about them.
struct Rule {
  const char* severity;
  const char* description;
  const char* query;
  const char* advice;
  void (*fix)(RepairContext&, const std::vector<std::int64_t>&);
};

void delete_orphan_results(RepairContext& context, const std::vector<std::int64_t>& ids) {
  Database& db = context.db;
  for (const std::int64_t id : ids) {
    for (const char* table : {"train_results", "epochs", "predictions", "checkpoints"}) {
      db.prepare(std::string("DELETE FROM ") + table + " WHERE job_id = ?").bind(1, id).run();
    }
  }
}

// The done extraction jobs that fill one of `feature_set_ids`.
std::vector<std::int64_t> extraction_jobs_of(RepairContext& context, const std::set<std::int64_t>& feature_set_ids) {
  std::vector<std::int64_t> jobs;
  Statement q = context.db.prepare("SELECT id, params FROM jobs WHERE stage = 'extract' AND status = 'done'");
  while (q.step()) {
    bool fills = true;  // unless the job's feature set is known to be another
    if (context.feature_set_of_extraction) {
      try {
        const std::optional<FeatureSetRow> set =
            find_feature_set(context.db, context.feature_set_of_extraction(q.column_text(1)));
        fills = set && feature_set_ids.count(set->id);
      } catch (const std::exception&) {
      }
    }
    if (fills) jobs.push_back(q.column_int(0));
  }
  return jobs;
}

void delete_bad_features(RepairContext& context, const std::vector<std::int64_t>& rowids) {
  Database& db = context.db;
  std::set<std::int64_t> damaged_sets;
  for (const std::int64_t rowid : rowids) {
    Statement set_of_row = db.prepare("SELECT feature_set_id FROM features WHERE rowid = ?");
    if (set_of_row.bind(1, rowid).step()) damaged_sets.insert(set_of_row.column_int(0));
    db.prepare("DELETE FROM features WHERE rowid = ?").bind(1, rowid).run();
  }
  // Their extraction jobs must run again to refill the gaps; those of other
  // feature sets lost nothing.
  for (const std::int64_t job : extraction_jobs_of(context, damaged_sets))
    db.prepare("UPDATE jobs SET status = 'pending', attempts = 0 WHERE id = ?").bind(1, job).run();
}

const Rule kRules[] = {
    {"error", "done training jobs without their results", R"(
      SELECT j.id FROM jobs j WHERE j.stage = 'train' AND j.status = 'done'
      AND NOT EXISTS (SELECT 1 FROM train_results r WHERE r.job_id = j.id))",
     "set back to pending; the next `popsweep run` trains them again", reset_jobs},
    {"error", "done training jobs whose prediction count differs from their validation set", R"(
      SELECT r.job_id FROM train_results r JOIN jobs j ON j.id = r.job_id WHERE j.status = 'done'
      AND r.val_items != (SELECT COUNT(*) FROM predictions p WHERE p.job_id = r.job_id))",
     "results dropped and jobs set back to pending", reset_jobs},
    {"error", "done training jobs without their kept-weights checkpoint", R"(
      SELECT j.id FROM jobs j WHERE j.stage = 'train' AND j.status = 'done'
      AND NOT EXISTS (SELECT 1 FROM checkpoints c WHERE c.job_id = j.id AND c.kind = 'best'))",
     "results dropped and jobs set back to pending", reset_jobs},
    // A pruned job finished its rung: its results are a search's record of
    // why its trial stopped (search_halving.h), not left-overs.
    {"warning", "results of jobs that are not done (left by an interrupted write)", R"(
      SELECT DISTINCT r.job_id FROM train_results r JOIN jobs j ON j.id = r.job_id
      WHERE j.status NOT IN ('done', 'pruned')
      UNION SELECT DISTINCT p.job_id FROM predictions p JOIN jobs j ON j.id = p.job_id
      WHERE j.status NOT IN ('done', 'pruned'))",
     "orphaned results deleted", delete_orphan_results},
    {"error", "feature blobs whose size does not match rows x dimension", R"(
      SELECT f.rowid FROM features f JOIN feature_sets s ON s.id = f.feature_set_id
      WHERE length(f.data) != f.rows * s.dim * 4)",
     "deleted; their extraction jobs run again", delete_bad_features},
    {"note", "features of files no media item has any more (replaced or removed media)", R"(
      SELECT f.rowid FROM features f WHERE NOT EXISTS (SELECT 1 FROM media m WHERE m.content_hash = f.content_hash))",
     "harmless; deleted to save space", [](RepairContext& context, const std::vector<std::int64_t>& rowids) {
       for (const std::int64_t rowid : rowids)
         context.db.prepare("DELETE FROM features WHERE rowid = ?").bind(1, rowid).run();
     }},
    {"note", "jobs marked running", "SELECT id FROM jobs WHERE status = 'running'",
     "if no sweep is running now, the next `popsweep run` requeues them (nothing to repair)", nullptr},
};

}  // namespace

std::vector<Finding> check_database(Database& db, bool repair,
                                    const FeatureSetOfExtraction& feature_set_of_extraction) {
  std::vector<Finding> findings;
  {
    Statement integrity = db.prepare("PRAGMA integrity_check");
    std::string result;
    while (integrity.step()) result += integrity.column_text(0) + " ";
    if (result != "ok ") {
      findings.push_back({"error", "SQLite integrity check: " + result,
                          "the file itself is damaged: restore a backup, or `sqlite3 FILE .recover > dump.sql` "
                          "and rebuild; popsweep cannot repair this",
                          false});
      return findings;  // the rules below assume a sound file
    }
  }
  {
    Statement keys = db.prepare("PRAGMA foreign_key_check");
    int broken = 0;
    while (keys.step()) ++broken;
    if (broken) {
      findings.push_back({"error", fmt::format("{} rows point at rows that do not exist", broken),
                          "run `sqlite3 FILE 'PRAGMA foreign_key_check'` to list them", false});
    }
  }
  std::optional<Transaction> transaction;
  if (repair) transaction.emplace(db);
  RepairContext context{db, feature_set_of_extraction};
  for (const Rule& rule : kRules) {
    const std::vector<std::int64_t> ids = ids_of(db, rule.query);
    if (ids.empty()) continue;
    Finding finding{rule.severity, fmt::format("{} {}: {}", ids.size(), rule.description, id_list(ids)), rule.advice,
                    false};
    if (repair && rule.fix) {
      rule.fix(context, ids);
      finding.repaired = true;
    }
    findings.push_back(std::move(finding));
  }
  if (transaction) transaction->commit();
  return findings;
}

std::string describe(const std::vector<Finding>& findings) {
  if (findings.empty()) return "the database is consistent\n";
  std::string text;
  for (const Finding& f : findings) {
    text += fmt::format("{}: {}\n  {}{}\n", f.severity, f.what, f.repaired ? "repaired: " : "repair: ", f.repair);
  }
  return text;
}

}  // namespace popsweep::storage
