// popsweep predict: score candidate posts with a sweep's kept models.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <ctime>
#include <iostream>

#include "app/commands.h"
#include "app/predict_context_options.h"
#include "common/error.h"
#include "reports/candidate_scoring.h"
#include "reports/prediction_context.h"
#include "reports/sweep_point_choice.h"
#include "reports/trained_models.h"
#include "storage/database.h"

namespace popsweep::app {
namespace {

void report_skipped(const std::vector<reports::SkippedCandidate>& skipped, const char* what) {
  for (const reports::SkippedCandidate& file : skipped)
    std::cerr << what << " " << file.file << ": " << file.reason << "\n";
}

struct PredictOptions {
  std::string db_path, sweep, experiment, weights_path, format = "csv", explain_dir, device = "cpu";
  int classes = 0;
  std::vector<std::string> media, point;
};

// `--point a=1 b=2 x.jpg` hands x.jpg to --point, which takes several
// values; a setting always has '=', so the rest are candidate files.
void split_point_and_media(PredictOptions& options) {
  std::vector<std::string> settings;
  for (std::string& value : options.point)
    (value.find('=') != std::string::npos ? settings : options.media).push_back(value);
  options.point = std::move(settings);
  if (options.media.empty()) throw ConfigError("predict: no candidate image or video file given");
}

}  // namespace

void add_predict_command(CLI::App& app) {
  auto options = std::make_shared<PredictOptions>();
  CLI::App* command = app.add_subcommand(
      "predict", "Class probabilities of candidate images and videos from a sweep's kept models, ranked");
  command->add_option("--db", options->db_path, "database")->required()->check(CLI::ExistingFile);
  command->add_option("--sweep", options->sweep, "sweep name or id")->required();
  command->add_option("--experiment", options->experiment, "image, cnn_rnn, image_to_video or video_to_image")
      ->required();
  command->add_option("--classes", options->classes, "number of popularity classes")->required();
  command->add_option("--weights", options->weights_path,
                      "the backbone weight file the sweep used (not needed for random or built-in weights)");
  command->add_option("--format", options->format, "csv or json")
      ->check(CLI::IsMember({"csv", "json"}))
      ->capture_default_str();
  command->add_option("--explain-dir", options->explain_dir,
                      "also write a Grad-CAM overlay per candidate here");
  command->add_option("--device", options->device, "cpu, cuda or cuda:N")->capture_default_str();
  command->add_option("--point", options->point,
                      "KEY=VALUE ...: the sweep point whose models to use, keys as the spec's sweep: names them "
                      "(not needed when the sweep has one point)");
  command->add_option("media", options->media, "candidate image and video files");
  auto context_options = std::make_shared<PredictContextOptions>();
  add_predict_context_options(*command, *context_options);
  command->callback([options, context_options] {
    // stdout carries the table, so the log goes to stderr.
    const spdlog::level::level_enum level = spdlog::get_level();
    spdlog::set_default_logger(spdlog::stderr_color_mt("predict"));
    spdlog::set_level(level);
    split_point_and_media(*options);
    storage::Database db = storage::Database::open(options->db_path, storage::Database::Access::ReadOnly);
    const reports::KeptModels models = reports::load_kept_models(
        db, options->sweep, options->experiment, options->classes, reports::parse_point_settings(options->point),
        options->weights_path, options->device);
    std::cerr << "predict: the mean of " << models.models.size() << " model(s) of sweep point "
              << reports::point_arguments(models.point) << "\n";
    const reports::PredictionContext context = reports::prediction_context(
        db, options->sweep, models, static_cast<std::int64_t>(std::time(nullptr)));
    std::cerr << reports::describe_prediction_context(context);
    reports::CandidateScores scores =
        models_read_context(models)
            ? score_candidates_with_context(db, models, options->media, *context_options)
            : reports::score_candidate_files(models, options->media);
    reports::apply_prediction_temperature(scores.scored, context);
    report_skipped(scores.skipped, "skipped");
    if (scores.scored.empty())
      throw Error("none of the " + std::to_string(options->media.size()) + " files could be scored");
    std::cout << (options->format == "json" ? reports::candidates_json(scores.scored)
                                            : reports::candidates_csv(scores.scored, models.classes));
    if (!options->explain_dir.empty()) {
      report_skipped(reports::explain_candidates(models, scores.scored, options->explain_dir),
                     "not explained");
    }
  });
}

}  // namespace popsweep::app
