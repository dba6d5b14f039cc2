#include "reports/leakage_audit.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <tuple>

#include "common/error.h"
#include "common/time_format.h"
#include "reports/results_tables.h"
#include "storage/database.h"
#include "storage/dedup_candidate_tables.h"
#include "storage/feature_tables.h"
#include "storage/profile_tables.h"
#include "storage/result_tables.h"
#include "worker/features/feature_set_key.h"

namespace popsweep::reports {
namespace {

constexpr const char* kUnrecorded = "not recorded (job from an earlier release)";

using Neighbours = std::map<std::int64_t, std::vector<std::int64_t>>;

// Dedup's rule applied to one job's feature set: each media's duplicates,
// or nothing when the rule cannot be applied, and what was done either way.
struct RuleOutcome {
  std::optional<Neighbours> neighbours;
  std::string description;
  bool verified = false;  // the pairs are the ones pixel verification accepted
};

Neighbours neighbours_of(const DuplicateMatches& matches) {
  Neighbours neighbours;
  for (const auto& [a, b] : matches.pairs) {
    neighbours[a].push_back(b);
    neighbours[b].push_back(a);
  }
  return neighbours;
}

// The threshold is the one the dedup run of the job's feature set used;
// with dedup disabled, the one the spec gave or else the rule's suggestion.
class RuleApplier {
 public:
  RuleApplier(storage::Database& db, const DuplicateRule& rule) : db_(db), rule_(rule) {}

  // The jobs of a sweep share a few (features, dedup) settings: each is
  // looked up, matched and indexed once.
  const RuleOutcome& apply(const nlohmann::json& params) {
    const std::string key = params.value("features", nlohmann::json()).dump() + "|" +
                            params.value("dedup", nlohmann::json()).dump();
    auto found = outcomes_.find(key);
    if (found == outcomes_.end()) found = outcomes_.emplace(key, evaluate(params)).first;
    return found->second;
  }

 private:
  RuleOutcome evaluate(const nlohmann::json& params) {
    const auto feature_params = params.find("features");
    if (feature_params == params.end() || !feature_params->is_object()) return {std::nullopt, "no feature set in the job's parameters"};
    std::optional<storage::FeatureSetRow> set;
    try {
      set = storage::find_feature_set(db_, features::feature_set_key(*feature_params));
    } catch (const Error& error) {
      return {std::nullopt, std::string("the job's feature set is unreadable: ") + error.what()};
    }
    if (!set) return {std::nullopt, "the job's features were not extracted"};
    const nlohmann::json dedup = params.value("dedup", nlohmann::json::object());
    const bool enabled = dedup.value("enabled", true);
    std::optional<double> threshold;
    std::string source;
    if (enabled) {
      const std::optional<storage::DedupRunRow> run = storage::load_dedup_run(db_, set->id);
      if (!run) return {std::nullopt, "dedup has not run on the job's features"};
      if (!run->threshold) return {Neighbours{}, "dedup found no threshold, so its rule matches nothing"};
      threshold = run->threshold;
      source = run->suggested ? "the threshold dedup suggested and used" : "the threshold dedup was given";
    } else if (dedup.contains("threshold") && dedup.at("threshold").is_number()) {
      threshold = dedup.at("threshold").get<double>();
      source = "the threshold in the spec (dedup disabled)";
    }
    const bool verify = dedup.contains("verify");
    if (enabled && verify) {
      if (std::optional<RuleOutcome> verified = verified_outcome(set->id, *threshold, source)) return *verified;
    }
    const DuplicateMatches matches = rule_(set->id, threshold);
    if (!matches.threshold) return {Neighbours{}, "dedup's rule suggests no threshold, so it matches nothing"};
    if (source.empty()) source = "the threshold dedup's rule suggests (dedup disabled)";
    std::string description = fmt::format("distance < {:.4g}, {}", *matches.threshold, source);
    if (verify) {
      description += enabled ? " (pixel verification's decisions were not stored: feature distance alone)"
                             : " (dedup disabled, so no pair was verified on its pixels: feature distance alone)";
    }
    return {neighbours_of(matches), description};
  }

  // With dedup.verify, the pairs dedup's pixel verification accepted among
  // the candidates it stored: a same-template pair it rejected (both posts
  // kept) is no duplicate, so no leak. Nothing when the run stored no
  // decisions though it removed media (a run from before they were kept).
  std::optional<RuleOutcome> verified_outcome(std::int64_t set_id, double radius, const std::string& source) {
    const std::vector<storage::DedupCandidateRow> candidates = storage::load_dedup_candidates(db_, set_id);
    const std::optional<storage::DedupRunRow> run = storage::load_dedup_run(db_, set_id);
    if (candidates.empty() && run && run->removed > 0) return std::nullopt;
    Neighbours neighbours;
    int rejected = 0;
    for (const storage::DedupCandidateRow& c : candidates) {
      if (!c.kept) {
        ++rejected;
        continue;
      }
      neighbours[c.first_media_id].push_back(c.second_media_id);
      neighbours[c.second_media_id].push_back(c.first_media_id);
    }
    return RuleOutcome{std::move(neighbours),
                       fmt::format("pairs pixel verification accepted among dedup's candidates (distance < {:.4g}, "
                                   "{}); {} of {} candidates rejected by verification are not counted",
                                   radius, source, rejected, candidates.size()),
                       true};
  }

  storage::Database& db_;
  const DuplicateRule& rule_;
  std::map<std::string, RuleOutcome> outcomes_;
};

std::map<std::int64_t, MediaFact> media_facts(storage::Database& db) {
  std::map<std::int64_t, MediaFact> facts;
  if (!storage::find_profile(db)) return facts;  // nothing ingested: no posts to compare
  for (const storage::MediaOfPost& media : storage::load_media_of_posts(db, true))
    facts[media.media_id] = {media.post_key, media.posted_at};
  return facts;
}

double required_gap_weeks(const nlohmann::json& params) {
  const auto gap = params.find("time_gap_weeks");
  return gap != params.end() && gap->is_number() ? gap->get<double>() : 0.0;
}

void add_job(GroupLeakage& group, const JobLeakage& job) {
  group.validations += job.validations;
  group.sharing_post += job.sharing_post;
  if (group.duplicates) *group.duplicates += job.duplicates;
  if (group.split != "time" || !job.latest_training || !job.earliest_validation) return;
  const std::int64_t margin = *job.earliest_validation - *job.latest_training;
  if (!group.latest_training || margin < *group.earliest_validation - *group.latest_training) {
    group.latest_training = job.latest_training;
    group.earliest_validation = job.earliest_validation;
  }
}

GroupLeakage audit_group(storage::ResultReader& reader, const ResultGroup& result, const std::map<std::int64_t, MediaFact>& media,
                         RuleApplier& rule) {
  GroupLeakage group;
  group.point = result.point;
  group.experiment = result.experiment;
  group.classes = result.classes;
  group.split = result.split;
  group.jobs = static_cast<int>(result.jobs.size());
  bool rule_known = false;
  for (const TrainedJob& job : result.jobs) {
    const std::optional<std::vector<std::int64_t>> training = reader.training_media_ids(job.result.job_id);
    if (!training) {
      ++group.unrecorded_jobs;
      continue;
    }
    const RuleOutcome& outcome = rule.apply(job.params);
    if (!rule_known) {
      rule_known = true;
      group.duplicate_rule = outcome.description;
      group.duplicate_rule_verified = outcome.verified;
      if (outcome.neighbours) group.duplicates = 0;
    }
    group.required_gap_weeks = required_gap_weeks(job.params);
    const Neighbours* neighbours = outcome.neighbours && group.duplicates ? &*outcome.neighbours : nullptr;
    add_job(group, audit_job(*training, job.validation_media, media, neighbours));
  }
  return group;
}

std::string day(std::int64_t t) { return format_iso8601(t).substr(0, 10); }

std::string where(const GroupLeakage& group) {
  const std::string point = describe_point(group.point);
  return fmt::format("{}{}, {} classes (split {})", point.empty() ? "" : point + ": ", group.experiment, group.classes,
                     group.split);
}

std::string count_cell(const GroupLeakage& group, std::optional<int> count) {
  if (!group.recorded()) return kUnrecorded;
  if (!count) return "not audited";
  std::string text = *count == 0 ? "none"
                                 : fmt::format("{} of {} validation predictions ({:.1f}%)", *count, group.validations,
                                               100.0 * *count / std::max(1, group.validations));
  if (group.unrecorded_jobs > 0) text += fmt::format(" ({} of {} jobs not recorded)", group.unrecorded_jobs, group.jobs);
  return text;
}

double margin_weeks(const GroupLeakage& group) {
  return static_cast<double>(*group.earliest_validation - *group.latest_training) / kSecondsPerWeek;
}

// How the latest training item of the tightest fold stands against its
// earliest validated item.
std::string time_order_text(const GroupLeakage& group) {
  const std::string latest = day(*group.latest_training), earliest = day(*group.earliest_validation);
  const double weeks = margin_weeks(group);
  if (weeks < 0) {
    return fmt::format("latest training item {} is {:.1f} weeks after the earliest validated item {}", latest,
                       -weeks, earliest);
  }
  return fmt::format("latest training item {} is {:.1f} weeks before the earliest validated item {} (gap {:g} weeks)",
                     latest, weeks, earliest, group.required_gap_weeks);
}

std::string time_cell(const GroupLeakage& group) {
  if (group.split != "time") return "n/a (folds not in time order)";
  if (!group.recorded()) return kUnrecorded;
  if (!group.latest_training || !group.earliest_validation) return "no training or validated item known";
  return (group.time_order_broken() ? "" : "none: ") + time_order_text(group);
}

// Which of the optional columns a table needs: the rule when groups differ
// in it (else it goes in the caption), the time order when a group is `time`.
struct AuditColumns {
  bool point = false;
  bool rule = false;
  bool time = false;
};

AuditColumns audit_columns(const LeakageAudit& audit) {
  AuditColumns columns;
  std::set<std::string> rules;
  for (const GroupLeakage& group : audit.groups) {
    columns.point |= !describe_point(group.point).empty();
    columns.time |= group.split == "time";
    if (group.recorded()) rules.insert(group.duplicate_rule);
  }
  columns.rule = rules.size() > 1;
  return columns;
}

std::vector<std::string> audit_cells(const GroupLeakage& group, const AuditColumns& columns) {
  std::vector<std::string> cells{group.split, count_cell(group, group.sharing_post), count_cell(group, group.duplicates)};
  if (columns.rule) cells.push_back(group.recorded() ? group.duplicate_rule : "-");
  if (columns.time) cells.push_back(time_cell(group));
  return cells;
}

}  // namespace

JobLeakage audit_job(const std::vector<std::int64_t>& training, const std::vector<std::int64_t>& validation,
                     const std::map<std::int64_t, MediaFact>& media, const Neighbours* neighbours) {
  JobLeakage job;
  // A sorted copy, not a set: one allocation instead of one per item, for
  // each of a 100,000-job sweep's jobs.
  std::vector<std::int64_t> trained(training);
  std::sort(trained.begin(), trained.end());
  std::set<std::string> training_posts;
  for (const std::int64_t id : training) {
    const auto fact = media.find(id);
    if (fact == media.end()) continue;
    training_posts.insert(fact->second.post);
    job.latest_training = std::max(job.latest_training.value_or(fact->second.posted_at), fact->second.posted_at);
  }
  for (const std::int64_t id : validation) {
    ++job.validations;
    const auto fact = media.find(id);
    if (fact != media.end()) {
      job.sharing_post += training_posts.count(fact->second.post) > 0;
      job.earliest_validation =
          std::min(job.earliest_validation.value_or(fact->second.posted_at), fact->second.posted_at);
    }
    if (!neighbours) continue;
    const auto duplicates = neighbours->find(id);
    if (duplicates == neighbours->end()) continue;
    job.duplicates += std::any_of(duplicates->second.begin(), duplicates->second.end(),
                                  [&trained](std::int64_t other) {
                                    return std::binary_search(trained.begin(), trained.end(), other);
                                  });
  }
  return job;
}

bool GroupLeakage::time_order_broken() const {
  if (split != "time" || !latest_training || !earliest_validation) return false;
  return *earliest_validation - *latest_training < required_gap_weeks * kSecondsPerWeek;
}

bool GroupLeakage::leaks() const { return sharing_post > 0 || duplicates.value_or(0) > 0 || time_order_broken(); }

LeakageAudit audit_leakage(storage::Database& db, const SweepResults& results, const DuplicateRule& rule) {
  const std::map<std::int64_t, MediaFact> media = media_facts(db);
  RuleApplier applier(db, rule);
  storage::ResultReader reader(db);
  LeakageAudit audit;
  for (const ResultGroup& group : results.groups) audit.groups.push_back(audit_group(reader, group, media, applier));
  return audit;
}

TextTable leakage_table(const LeakageAudit& audit) {
  const AuditColumns columns = audit_columns(audit);
  TextTable table;
  table.caption = "Leakage audit: validation items with something of themselves in their own job's training set";
  for (const GroupLeakage& group : audit.groups) {
    if (!columns.rule && group.recorded()) {
      table.caption += "; duplicates by dedup's rule: " + group.duplicate_rule;
      break;
    }
  }
  if (columns.point) table.header.push_back("point");
  for (const char* column : {"experiment", "classes", "split", "same post as a training item",
                             "a training item dedup's rule matches"})
    table.header.push_back(column);
  if (columns.rule) table.header.push_back("dedup's rule");
  if (columns.time) table.header.push_back("time order");
  // A point whose groups all read the same becomes one row.
  std::map<std::string, std::set<std::vector<std::string>>> cells_by_point;
  for (const GroupLeakage& group : audit.groups) cells_by_point[group.point].insert(audit_cells(group, columns));
  std::set<std::string> merged_points;
  for (const GroupLeakage& group : audit.groups) {
    const bool merge = cells_by_point[group.point].size() == 1;
    if (merge && !merged_points.insert(group.point).second) continue;
    std::vector<std::string> row;
    if (columns.point) row.push_back(describe_point(group.point));
    row.push_back(merge ? "all" : group.experiment);
    row.push_back(merge ? "all" : std::to_string(group.classes));
    for (std::string& cell : audit_cells(group, columns)) row.push_back(std::move(cell));
    table.rows.push_back(std::move(row));
  }
  return table;
}

std::vector<std::string> leakage_warnings(const LeakageAudit& audit) {
  std::vector<std::string> warnings;
  for (const GroupLeakage& group : audit.groups) {
    if (group.sharing_post > 0) {
      warnings.push_back(fmt::format("{}: {} of {} validation predictions share a post with a training item of "
                                     "their own job",
                                     where(group), group.sharing_post, group.validations));
    }
    if (group.duplicates.value_or(0) > 0) {
      warnings.push_back(fmt::format("{}: {} of {} validation predictions have a training item that dedup's rule "
                                     "matches as their duplicate ({})",
                                     where(group), *group.duplicates, group.validations, group.duplicate_rule));
    }
    if (group.time_order_broken()) {
      warnings.push_back(fmt::format("{}: a fold's {}, closer than the {:g} weeks train.time_gap_weeks requires",
                                     where(group), time_order_text(group), group.required_gap_weeks));
    }
  }
  return warnings;
}

nlohmann::json leakage_json(const LeakageAudit& audit) {
  nlohmann::json groups = nlohmann::json::array();
  for (const GroupLeakage& group : audit.groups) {
    nlohmann::json json{{"point", nlohmann::json::parse(group.point, nullptr, false)},
                        {"experiment", group.experiment},
                        {"classes", group.classes},
                        {"split", group.split},
                        {"jobs", group.jobs},
                        {"unrecorded_jobs", group.unrecorded_jobs},
                        {"validations", group.validations},
                        {"sharing_post", group.recorded() ? nlohmann::json(group.sharing_post) : nlohmann::json()},
                        {"duplicates", group.recorded() && group.duplicates ? nlohmann::json(*group.duplicates)
                                                                             : nlohmann::json()},
                        {"duplicate_rule", group.duplicate_rule},
                        {"duplicate_rule_verified", group.duplicate_rule_verified},
                        {"leaks", group.leaks()}};
    if (group.split == "time" && group.latest_training) {
      json["latest_training"] = format_iso8601(*group.latest_training);
      json["earliest_validation"] = format_iso8601(*group.earliest_validation);
      json["required_gap_weeks"] = group.required_gap_weeks;
    }
    groups.push_back(json);
  }
  return groups;
}

}  // namespace popsweep::reports
