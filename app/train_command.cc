#include <CLI/CLI.hpp>

#include <iostream>

#include "app/commands.h"
#include "app/single_job_options.h"
#include "worker/context/context_features.h"
#include "worker/train/architecture.h"

namespace popsweep::app {

void add_train_command(CLI::App& app) {
  auto flags = std::make_shared<SingleJobFlags>();
  auto choice = std::make_shared<orchestrator::TrainJobChoice>();
  CLI::App* command = app.add_subcommand(
      "train", "Train and validate one job (experiment, classes, fold, repeat) on extracted features (M14-M19) "
               "and record it; labels are computed first when missing");
  auto train_flags = feature_flags();
  train_flags.insert(train_flags.end(), {{"--folds", "train.folds"},
                                         {"--epochs", "train.epochs"},
                                         {"--lr", "train.lr"},
                                         {"--batch-size", "train.batch_size"},
                                         {"--mode", "train.mode"},
                                         {"--split", "train.split"},
                                         {"--window-weeks", "labels.window_weeks"},
                                         {"--label-mode", "labels.mode"},
                                         {"--dedup", "dedup.enabled"}});
  add_single_job_options(*command, flags, train_flags);
  command->add_option("--experiment", choice->experiment, "image, cnn_rnn, image_to_video or video_to_image")
      ->required()
      ->check(CLI::IsMember({"image", "cnn_rnn", "image_to_video", "video_to_image"}));
  command->add_option("--classes", choice->classes, "number of popularity classes K (M4)")
      ->check(CLI::Range(2, 100))
      ->default_str("2");
  command->add_option("--fold", choice->fold, "validation fold, 0-based")->default_str("0");
  command->add_option("--repeat", choice->repeat, "repeat (fold seed), 0-based")->default_str("0");
  command->callback(
      [flags, choice] { orchestrator::run_single_train(resolved_options(*flags), *choice, std::cout); });
}

void add_models_command(CLI::App& app) {
  CLI::App* models = app.add_subcommand("models", "The models of the four experiments");
  models->require_subcommand(1);
  auto architecture = std::make_shared<std::string>();
  auto classes = std::make_shared<int>(2);
  CLI::App* describe = models->add_subcommand("describe", "Print each layer with its parameter counts");
  describe->add_option("--arch", *architecture, "image, cnn_rnn, image_to_video or video_to_image")
      ->required()
      ->check(CLI::IsMember({"image", "cnn_rnn", "image_to_video", "video_to_image"}));
  describe->add_option("--classes", *classes, "number of classes K")
      ->check(CLI::Range(2, 100))
      ->default_str("2");
  auto inputs = std::make_shared<std::string>("visual");
  describe
      ->add_option("--inputs", *inputs,
                   "what the head reads (train.inputs): visual, context or visual+context")
      ->check(CLI::IsMember({"visual", "context", "visual+context"}))
      ->capture_default_str();
  describe->callback([architecture, classes, inputs] {
    std::cout << train::describe_model(train::parse_architecture(*architecture), *classes,
                                       train::parse_input_set(*inputs),
                                       static_cast<int>(context::context_feature_names().size()))
                     .text();
  });
}

}  // namespace popsweep::app
