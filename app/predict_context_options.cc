#include "app/predict_context_options.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "common/csv.h"
#include "common/error.h"
#include "common/time_format.h"
#include "storage/database.h"
#include "storage/job_tables.h"
#include "worker/context/candidate_context.h"
#include "worker/train/context_join.h"

namespace popsweep::app {
namespace {

const char* const kHowToGiveContext =
    "give the candidates' planned time with --posted-at (and --caption, --carousel-size, "
    "--carousel-position), or a --context CSV with columns file,posted_at[,caption][,carousel_size]"
    "[,carousel_position] (docs/INPUT.md)";

context::ContextSettings settings_of_models(storage::Database& db, const reports::KeptModels& models) {
  const std::optional<storage::JobRow> job = storage::find_job(db, models.models.front().job_id);
  if (!job) throw Error("predict: the job of a kept model is missing");
  const nlohmann::json params = nlohmann::json::parse(job->params);
  context::ContextSettings settings;
  settings.time_zone = params.at("context").at("time_zone").get<std::string>();
  settings.time_zone_key = "context.time_zone";
  settings.history_posts = params.at("context").at("history_posts").get<int>();
  return settings;
}

UnixSeconds planned_time(const std::string& text, const std::string& where) {
  std::string why;
  const std::optional<UnixSeconds> time = parse_iso8601(text, &why);
  if (!time) throw ConfigError(where + ": '" + text + "' is not an ISO 8601 time (" + why + ")");
  return *time;
}

// Each candidate file's planned post, from the CSV or the flags.
std::map<std::string, context::CandidatePost> planned_posts(const std::vector<std::string>& files,
                                                            const PredictContextOptions& options) {
  std::map<std::string, context::CandidatePost> posts;
  if (options.csv_path.empty()) {
    context::CandidatePost post{planned_time(options.posted_at, "--posted-at"), options.caption,
                                options.carousel_size, options.carousel_position, false};
    for (const std::string& file : files) posts[file] = post;
    return posts;
  }
  const CsvTable table = CsvTable::read_file(options.csv_path, {"file", "posted_at"});
  for (const CsvRecord& record : table.records()) {
    const std::string where = options.csv_path + ":" + std::to_string(record.line);
    context::CandidatePost post;
    post.posted_at = planned_time(table.field(record, "posted_at"), where + ": posted_at");
    if (table.has_column("caption")) post.caption = table.field(record, "caption");
    if (table.has_column("carousel_size"))
      post.carousel_size = static_cast<int>(table.optional_integer(record, "carousel_size").value_or(1));
    if (table.has_column("carousel_position"))
      post.carousel_position =
          static_cast<int>(table.optional_integer(record, "carousel_position").value_or(0));
    posts[table.field(record, "file")] = post;
  }
  for (const std::string& file : files) {
    if (!posts.count(file)) throw ConfigError(options.csv_path + " has no row for the candidate " + file);
  }
  return posts;
}

}  // namespace

void add_predict_context_options(CLI::App& command, PredictContextOptions& options) {
  command.add_option("--posted-at", options.posted_at,
                     "models with context inputs: when the candidates would be published (ISO 8601)");
  command.add_option("--caption", options.caption, "models with context inputs: the candidates' caption");
  command
      .add_option("--carousel-size", options.carousel_size, "models with context inputs: items of the post")
      ->check(CLI::Range(1, 20))
      ->capture_default_str();
  command
      .add_option("--carousel-position", options.carousel_position,
                  "models with context inputs: the candidate's index in the post, from 0")
      ->check(CLI::Range(0, 19))
      ->capture_default_str();
  command
      .add_option("--context", options.csv_path,
                  "models with context inputs: a CSV of each candidate's planned post "
                  "(file,posted_at[,caption][,carousel_size][,carousel_position])")
      ->check(CLI::ExistingFile);
}

bool models_read_context(const reports::KeptModels& models) {
  for (const reports::KeptModel& model : models.models) {
    if (train::reads_context(model.head->inputs().set)) return true;
  }
  return false;
}

reports::CandidateScores score_candidates_with_context(storage::Database& db,
                                                       const reports::KeptModels& models,
                                                       const std::vector<std::string>& files,
                                                       const PredictContextOptions& options) {
  const std::string inputs = train::input_set_name(models.models.front().head->inputs().set);
  if (!options.given()) {
    throw ConfigError("predict: the models of sweep point " + models.point + " read the context of a post " +
                      "(train.inputs " + inputs + "), and a picture alone does not say when or how it will " +
                      "be posted: " + kHowToGiveContext);
  }
  if (!options.posted_at.empty() && !options.csv_path.empty())
    throw ConfigError("predict: give --posted-at or --context, not both");
  const std::map<std::string, context::CandidatePost> planned = planned_posts(files, options);
  const context::ContextSettings settings = settings_of_models(db, models);
  const context::ContextInputs profile = context::load_context_inputs(db);
  const int classes = models.classes;
  reports::CandidateScores result;
  torch::NoGradGuard no_gradients;
  for (const std::string& file : files) {
    torch::Tensor embeddings;
    try {
      embeddings = reports::embed_candidate(*models.backbone, file, models.identity.image_size);
    } catch (const InputError& error) {
      result.skipped.push_back({file, error.what()});
      continue;
    }
    context::CandidatePost post = planned.at(file);
    post.is_video = reports::is_video_file(file);
    const std::vector<double> values = context::candidate_context(profile, post, settings);
    const torch::Tensor raw = torch::tensor(values, torch::kFloat64).reshape({1, -1});
    torch::Tensor sum = torch::zeros({1, classes}, torch::kFloat64);
    for (const reports::KeptModel& model : models.models) {
      const train::HeadImpl& head = *model.head;
      const torch::Tensor visual = reports::model_input(head.architecture(), embeddings);
      const torch::Tensor joined = train::join_context(head.architecture(), head.inputs().set, visual,
                                                       train::standardise_context(raw, head.inputs()));
      sum += train::class_probabilities(model.head->logits(joined, nullptr), classes);
    }
    const torch::Tensor mean = (sum / static_cast<double>(models.models.size())).reshape({-1}).contiguous();
    reports::ScoredCandidate scored;
    scored.file = file;
    scored.probabilities.assign(mean.data_ptr<double>(), mean.data_ptr<double>() + classes);
    const std::vector<double>& p = scored.probabilities;
    scored.predicted_class = static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
    for (size_t k = 0; k < p.size(); ++k) scored.expected_class += static_cast<double>(k) * p[k];
    result.scored.push_back(std::move(scored));
  }
  reports::rank_candidates(result.scored);
  return result;
}

}  // namespace popsweep::app
