#include "reports/pooled_results.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <tuple>

#include "common/error.h"

namespace popsweep::reports {
namespace {

constexpr const char* kProfileKey = "profile";

std::string with_profile(const std::string& point, const std::string& profile) {
  nlohmann::json values = nlohmann::json::parse(point, nullptr, false);
  if (!values.is_object() || values.contains(kProfileKey) || profile.empty()) return point;
  values[kProfileKey] = profile;
  return values.dump();
}

void name_profile(ResultsPart& part) {
  const std::string& profile = part.profile_name;
  for (ResultGroup& group : part.results.groups) group.point = with_profile(group.point, profile);
  for (ExperimentComparison& comparison : part.results.comparisons)
    comparison.point = with_profile(comparison.point, profile);
  for (GroupLeakage& group : part.audit.groups) group.point = with_profile(group.point, profile);
  std::map<std::string, PaperReference> paper;
  for (auto& [point, reference] : part.results.paper_by_point)
    paper[with_profile(point, profile)] = reference;
  part.results.paper_by_point = std::move(paper);
}

bool group_before(const ResultGroup& a, const ResultGroup& b) {
  if (a.point != b.point) return a.point < b.point;
  if (a.experiment != b.experiment) return experiment_before(a.experiment, b.experiment);
  return a.classes > b.classes;
}

}  // namespace

std::pair<SweepResults, LeakageAudit> pool_results(std::vector<ResultsPart> parts) {
  if (parts.size() == 1) return {std::move(parts.front().results), std::move(parts.front().audit)};
  SweepResults pooled;
  pooled.sweep = parts.front().results.sweep;
  std::vector<std::pair<ResultGroup, GroupLeakage>> groups;
  std::set<std::tuple<std::string, std::string, int>> seen;
  for (ResultsPart& part : parts) {
    name_profile(part);
    SweepResults& results = part.results;
    for (std::size_t i = 0; i < results.groups.size(); ++i) {
      ResultGroup& group = results.groups[i];
      if (!seen.insert({group.point, group.experiment, group.classes}).second) {
        throw ConfigError("two databases hold the results of point " + group.point + ", " + group.experiment +
                          ", " + std::to_string(group.classes) +
                          " classes: pool databases of different profiles (or of different points)");
      }
      GroupLeakage leakage = i < part.audit.groups.size() ? part.audit.groups[i] : GroupLeakage{};
      groups.emplace_back(std::move(group), std::move(leakage));
    }
    for (ExperimentComparison& c : results.comparisons) pooled.comparisons.push_back(std::move(c));
    for (storage::JobRow& job : results.unfinished_jobs) pooled.unfinished_jobs.push_back(std::move(job));
    for (storage::JobRow& job : results.train_jobs) pooled.train_jobs.push_back(std::move(job));
    for (storage::MediaProblem& p : results.media_problems) pooled.media_problems.push_back(std::move(p));
    for (auto& [point, reference] : results.paper_by_point) pooled.paper_by_point[point] = reference;
  }
  std::stable_sort(groups.begin(), groups.end(),
                   [](const auto& a, const auto& b) { return group_before(a.first, b.first); });
  std::stable_sort(
      pooled.comparisons.begin(), pooled.comparisons.end(),
      [](const ExperimentComparison& a, const ExperimentComparison& b) { return a.point < b.point; });
  LeakageAudit audit;
  for (auto& [group, leakage] : groups) {
    pooled.groups.push_back(std::move(group));
    audit.groups.push_back(std::move(leakage));
  }
  return {std::move(pooled), std::move(audit)};
}

std::vector<ResultsPart> split_by_profile(SweepResults results) {
  std::map<std::string, ResultsPart> parts;  // by profile name ("" for points naming none)
  auto part_of = [&](const std::string& point) -> ResultsPart& {
    const nlohmann::json values = nlohmann::json::parse(point, nullptr, false);
    const std::string profile =
        values.is_object() && values.contains(kProfileKey) && values.at(kProfileKey).is_string()
            ? values.at(kProfileKey).get<std::string>()
            : "";
    ResultsPart& part = parts[profile];
    part.profile_name = profile;
    part.results.sweep = results.sweep;
    return part;
  };
  for (ResultGroup& group : results.groups) part_of(group.point).results.groups.push_back(std::move(group));
  for (ExperimentComparison& c : results.comparisons)
    part_of(c.point).results.comparisons.push_back(std::move(c));
  for (auto& [point, reference] : results.paper_by_point)
    part_of(point).results.paper_by_point[point] = reference;
  if (parts.empty()) part_of("{}");
  std::vector<ResultsPart> split;
  for (auto& [profile, part] : parts) split.push_back(std::move(part));
  split.front().results.unfinished_jobs = std::move(results.unfinished_jobs);
  // Jobs are not split by profile: the search's pruning budget counts them all.
  split.front().results.train_jobs = std::move(results.train_jobs);
  split.front().results.media_problems = std::move(results.media_problems);
  return split;
}

}  // namespace popsweep::reports
