#include "reports/search_summary.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>
#include <tuple>

#include "reports/charts.h"
#include "storage/job_tables.h"

namespace popsweep::reports {
namespace {

constexpr const char* kTrialKey = "search.trial";
// A rung job below a pruned search's last rung, and a holdout job
// (orchestrator/search_halving.h, search_holdout.h): neither ranks a trial.
constexpr const char* kRungKey = "search.rung";
constexpr const char* kHoldoutKey = "search.holdout";

PruningBudget pruning_budget(const nlohmann::json& pruner, const std::vector<storage::JobRow>& jobs) {
  PruningBudget budget;
  budget.eta = pruner.value("eta", 0);
  budget.max_epochs = pruner.value("max_epochs", 0);
  for (const storage::JobRow& job : jobs) {
    const nlohmann::json params = nlohmann::json::parse(job.params, nullptr, false);
    if (!params.is_object() || !params.contains("halving")) continue;
    const nlohmann::json& halving = params["halving"];
    ++budget.train_jobs;
    if (halving.value("rung", 0) == 0) budget.epochs_unpruned += halving.value("max_epochs", 0);
    if (job.status == storage::JobStatus::Pruned) ++budget.pruned_jobs;
    if (job.status == storage::JobStatus::Done || job.status == storage::JobStatus::Pruned) {
      budget.epochs_trained += params["train"].value("epochs", 0) - halving.value("from_epoch", 0);
    }
  }
  return budget;
}

std::string text_of(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

std::optional<double> number_of(const nlohmann::json& value) {
  if (value.is_number()) return value.get<double>();
  const std::string text = text_of(value);
  char* end = nullptr;
  const double parsed = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0') return std::nullopt;
  return parsed;
}

std::string file_stem_of(const std::string& key) {
  std::string stem = "search_";
  for (const char c : key) stem += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return stem;
}

bool is_lower_rung(const std::string& point) {
  const nlohmann::json parsed = nlohmann::json::parse(point, nullptr, false);
  return parsed.is_object() && parsed.contains(kRungKey);
}

bool is_objective_group(const SearchSummary& summary, const ResultGroup& group) {
  return group.classes == summary.classes && std::find(summary.experiments.begin(), summary.experiments.end(),
                                                       group.experiment) != summary.experiments.end();
}

// The group's score as the objective reads it, and its number of runs.
std::pair<train::MeanAndStd, int> objective_score_of(const SearchSummary& summary, const ResultGroup& group) {
  const train::ExperimentScore& score = summary.epoch == "last" ? group.last : group.best;
  train::MeanAndStd value = score.accuracy;
  if (summary.metric == "accuracy_over_baseline" && score.majority_baseline)
    value.mean -= score.majority_baseline->mean;
  return {value, static_cast<int>(score.runs.size())};
}

// The epochs a group's jobs trained to: their `train.epochs`, else the
// epochs their results ran.
int epochs_of(const ResultGroup& group) {
  int epochs = 0;
  for (const TrainedJob& job : group.jobs) {
    const int planned =
        job.params.is_object() && job.params.contains("train") ? job.params["train"].value("epochs", 0) : 0;
    epochs = std::max({epochs, planned, job.result.epochs_run});
  }
  return epochs;
}

// Every trial that has no full-budget row, at the highest rung each of its
// points reached.
std::vector<LowerRungRow> lower_rung_rows(const SearchSummary& summary, const SweepResults& results) {
  std::set<int> ranked;
  for (const SearchTrialRow& row : summary.rows) ranked.insert(row.trial);
  std::set<std::int64_t> pruned_jobs;
  for (const storage::JobRow& job : results.train_jobs) {
    if (job.status == storage::JobStatus::Pruned) pruned_jobs.insert(job.id);
  }
  std::map<std::string, LowerRungRow> highest;  // by point and experiment
  for (const std::vector<ResultGroup>* groups : {&results.groups, &results.lower_rung_groups}) {
    for (const ResultGroup& group : *groups) {
      if (!is_objective_group(summary, group)) continue;
      nlohmann::json point = nlohmann::json::parse(group.point, nullptr, false);
      if (!point.is_object() || !point.contains(kRungKey) || !point.contains(kTrialKey)) continue;
      LowerRungRow row;
      row.trial = point[kTrialKey].get<int>();
      if (ranked.count(row.trial)) continue;
      row.rung = point[kRungKey].get<int>();
      point.erase(kTrialKey);
      point.erase(kRungKey);
      row.point = std::move(point);
      row.experiment = group.experiment;
      row.epochs = epochs_of(group);
      row.pruned = std::any_of(group.jobs.begin(), group.jobs.end(), [&](const TrainedJob& job) {
        return pruned_jobs.count(job.result.job_id) > 0;
      });
      std::tie(row.score, row.runs) = objective_score_of(summary, group);
      const std::string key = row.point.dump() + "\n" + row.experiment;
      const auto found = highest.find(key);
      if (found == highest.end() || found->second.rung < row.rung) highest[key] = std::move(row);
    }
  }
  std::vector<LowerRungRow> rows;
  for (auto& [key, row] : highest) rows.push_back(std::move(row));
  std::stable_sort(rows.begin(), rows.end(), [](const LowerRungRow& a, const LowerRungRow& b) {
    if (a.rung != b.rung) return a.rung > b.rung;
    if (a.score.mean != b.score.mean) return a.score.mean > b.score.mean;
    return a.trial < b.trial;
  });
  return rows;
}

std::vector<std::string> key_cells(const SearchSummary& summary, const nlohmann::json& point) {
  std::vector<std::string> cells;
  for (const SearchedKey& key : summary.keys)
    cells.push_back(point.contains(key.path) ? text_of(point[key.path]) : "");
  return cells;
}

}  // namespace

void set_aside_lower_rungs(SweepResults& results) {
  std::vector<ResultGroup> kept;
  for (ResultGroup& group : results.groups)
    (is_lower_rung(group.point) ? results.lower_rung_groups : kept).push_back(std::move(group));
  results.groups = std::move(kept);
  results.comparisons.erase(
      std::remove_if(results.comparisons.begin(), results.comparisons.end(),
                     [](const ExperimentComparison& c) { return is_lower_rung(c.point); }),
      results.comparisons.end());
}

std::optional<SearchSummary> summarize_search(const SweepResults& results) {
  const nlohmann::json identity = nlohmann::json::parse(results.sweep.spec_text, nullptr, false);
  if (!identity.is_object() || !identity.contains("search")) return std::nullopt;
  const nlohmann::json& search = identity["search"];
  SearchSummary summary;
  summary.method = search.value("method", "");
  summary.experiments = search.value("experiments", std::vector<std::string>{});
  summary.classes = search.value("classes", 0);
  summary.metric = search.value("metric", "accuracy");
  summary.epoch = search.value("epoch", "best");
  std::set<std::string> searched;
  for (const nlohmann::json& key : search.value("keys", nlohmann::json::array())) {
    summary.keys.push_back({key.value("path", ""), key.value("range", "")});
    searched.insert(summary.keys.back().path);
  }
  for (const ResultGroup& group : results.groups) {
    if (!is_objective_group(summary, group)) continue;
    nlohmann::json point = nlohmann::json::parse(group.point, nullptr, false);
    if (!point.is_object() || !point.contains(kTrialKey) || point.contains(kRungKey)) continue;
    if (point.contains(kHoldoutKey)) {
      HoldoutEstimate estimate;
      estimate.trial = point[kTrialKey].get<int>();
      estimate.experiment = group.experiment;
      std::tie(estimate.score, estimate.runs) = objective_score_of(summary, group);
      const train::ExperimentScore& group_score = summary.epoch == "last" ? group.last : group.best;
      if (group_score.majority_baseline) estimate.baseline = group_score.majority_baseline->mean;
      summary.holdout.push_back(std::move(estimate));
      continue;
    }
    SearchTrialRow row;
    row.trial = point[kTrialKey].get<int>();
    point.erase(kTrialKey);
    for (const auto& [key, value] : point.items()) {
      if (!searched.count(key)) {
        summary.keys.push_back({key, ""});
        searched.insert(key);
      }
    }
    row.point = std::move(point);
    row.experiment = group.experiment;
    std::tie(row.score, row.runs) = objective_score_of(summary, group);
    summary.rows.push_back(std::move(row));
  }
  std::stable_sort(summary.rows.begin(), summary.rows.end(),
                   [](const SearchTrialRow& a, const SearchTrialRow& b) {
                     if (a.score.mean != b.score.mean) return a.score.mean > b.score.mean;
                     return a.trial < b.trial;
                   });
  for (HoldoutEstimate& estimate : summary.holdout) {
    for (const SearchTrialRow& row : summary.rows) {
      if (row.trial == estimate.trial && row.experiment == estimate.experiment)
        estimate.selection = row.score;
    }
  }
  if (search.contains("pruner")) {
    summary.pruning = pruning_budget(search["pruner"], results.train_jobs);
    summary.lower_rungs = lower_rung_rows(summary, results);
  }
  return summary;
}

std::vector<std::string> search_notes(const SearchSummary& summary) {
  std::vector<std::string> notes;
  if (const std::optional<PruningBudget>& p = summary.pruning) {
    const double share =
        p->epochs_unpruned ? static_cast<double>(p->epochs_trained) / p->epochs_unpruned : 0.0;
    notes.push_back(fmt::format(
        "Pruning (successive halving, eta {}, last rung {} epochs): {} of {} rung job(s) pruned; {} epochs "
        "trained of the {} an unpruned search of the same trials trains: {:.1f}% of the budget, {:.1f}% "
        "saved.",
        p->eta, p->max_epochs, p->pruned_jobs, p->train_jobs, p->epochs_trained, p->epochs_unpruned,
        100 * share, 100 * (1 - share)));
  }
  for (const HoldoutEstimate& h : summary.holdout) {
    std::string note = fmt::format(
        "Holdout estimate (not a selection score) of the chosen trial {}, {}: {:.4f} ± {:.4f} over {} run(s) "
        "on fresh repeats whose folds judged no trial",
        h.trial, h.experiment, h.score.mean, h.score.std, h.runs);
    if (h.selection)
      note +=
          fmt::format(", beside its selection score {:.4f} ± {:.4f}", h.selection->mean, h.selection->std);
    if (h.baseline) note += fmt::format("; majority baseline {:.4f}", *h.baseline);
    notes.push_back(note + ".");
  }
  return notes;
}

TextTable best_trials_table(const SearchSummary& summary, size_t top) {
  std::set<int> trials;
  for (const SearchTrialRow& row : summary.rows) trials.insert(row.trial);
  TextTable table;
  table.caption = fmt::format(
      "{} search, {} trial(s) scored: the best {} by {} {} at K={} ({} epoch), mean ± std over repeats. The "
      "best "
      "of many noisy scores on the same folds is optimistic: read it as a selection score.",
      summary.method, trials.size(), std::min(top, summary.rows.size()), fmt::join(summary.experiments, ", "),
      summary.metric == "accuracy" ? "accuracy" : "accuracy minus the majority baseline", summary.classes,
      summary.epoch);
  table.header = {"rank", "trial", "experiment", "score", "runs"};
  for (const SearchedKey& key : summary.keys) table.header.push_back(key.path);
  for (size_t i = 0; i < summary.rows.size() && i < top; ++i) {
    const SearchTrialRow& row = summary.rows[i];
    std::vector<std::string> cells{std::to_string(i + 1), std::to_string(row.trial), row.experiment,
                                   fmt::format("{:.4f} ± {:.4f}", row.score.mean, row.score.std),
                                   std::to_string(row.runs)};
    for (std::string& cell : key_cells(summary, row.point)) cells.push_back(std::move(cell));
    table.rows.push_back(std::move(cells));
  }
  return table;
}

TextTable lower_rung_table(const SearchSummary& summary) {
  TextTable table;
  const int last_epochs = summary.pruning ? summary.pruning->max_epochs : 0;
  table.caption = fmt::format(
      "Trials below the last rung ({} sweep point(s)), each at the rung it reached and scored after the "
      "epochs it trained, fewer than the {} of the ranked trials: not comparable with them, so kept out of "
      "the ranking and of the results tables.",
      summary.lower_rungs.size(), last_epochs);
  table.header = {"trial", "rung", "epochs", "status", "experiment", "score", "runs"};
  for (const SearchedKey& key : summary.keys) table.header.push_back(key.path);
  for (const LowerRungRow& row : summary.lower_rungs) {
    std::vector<std::string> cells{std::to_string(row.trial),
                                   std::to_string(row.rung),
                                   std::to_string(row.epochs),
                                   row.pruned ? "pruned" : "not decided",
                                   row.experiment,
                                   fmt::format("{:.4f} ± {:.4f}", row.score.mean, row.score.std),
                                   std::to_string(row.runs)};
    for (std::string& cell : key_cells(summary, row.point)) cells.push_back(std::move(cell));
    table.rows.push_back(std::move(cells));
  }
  return table;
}

std::vector<ReportChart> search_parameter_charts(const SearchSummary& summary) {
  std::vector<ReportChart> charts;
  for (const SearchedKey& key : summary.keys) {
    const bool log_axis = key.range == "loguniform";
    // Values that are not numbers (choices of text or lists) sit at their rank.
    std::set<std::string> texts;
    for (const SearchTrialRow& row : summary.rows) {
      if (row.point.contains(key.path) && !number_of(row.point[key.path]))
        texts.insert(text_of(row.point[key.path]));
    }
    std::vector<std::string> groups = summary.experiments;
    std::vector<ScatterPoint> points;
    for (const SearchTrialRow& row : summary.rows) {
      if (!row.point.contains(key.path)) continue;
      const nlohmann::json& value = row.point[key.path];
      double x = 0;
      if (const std::optional<double> number = number_of(value)) {
        x = log_axis ? std::log10(*number) : *number;
      } else {
        x = static_cast<double>(std::distance(texts.begin(), texts.find(text_of(value))));
      }
      const int group =
          static_cast<int>(std::find(groups.begin(), groups.end(), row.experiment) - groups.begin());
      points.push_back({x, row.score.mean, group,
                        fmt::format("trial {}: {} = {}, score {:.4f} ± {:.4f}", row.trial, key.path,
                                    text_of(value), row.score.mean, row.score.std)});
    }
    if (points.empty()) continue;
    const std::string title = fmt::format("Score against {}{}", key.path, log_axis ? " (log10 axis)" : "");
    std::string x_label = log_axis ? "log10 " + key.path : key.path;
    if (!texts.empty()) x_label += fmt::format(" (rank among {})", fmt::join(texts, ", "));
    charts.push_back(
        {file_stem_of(key.path), title, scatter_chart({title, x_label, summary.metric}, points, groups)});
  }
  return charts;
}

}  // namespace popsweep::reports
