// popsweep explain: Grad-CAM (M20) of one trained model on one image.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <optional>

#include "app/commands.h"
#include "reports/candidate_scoring.h"
#include "reports/grad_cam.h"
#include "reports/heatmap_overlay.h"
#include "reports/trained_models.h"
#include "storage/database.h"

namespace popsweep::app {

void add_explain_command(CLI::App& app) {
  struct Options {
    std::string db_path, image_path, output_path, weights_path, device = "cpu";
    std::int64_t job_id = 0;
    std::optional<int> target_class;
  };
  auto options = std::make_shared<Options>();
  CLI::App* command = app.add_subcommand(
      "explain",
      "Grad-CAM heat map (M20) of a trained model's class for one image, written over the image as a PNG");
  command->add_option("--db", options->db_path, "database")->required()->check(CLI::ExistingFile);
  command->add_option("--job", options->job_id, "id of a done train job (its best checkpoint)")->required();
  command->add_option("--image", options->image_path, "image to explain")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("--out", options->output_path, "PNG to write")->required();
  command->add_option("--class", options->target_class, "class to explain (default: the most probable)");
  command->add_option("--weights", options->weights_path,
                      "the backbone weight file the sweep used (not needed for random or built-in weights)");
  command->add_option("--device", options->device, "cpu, cuda or cuda:N")->capture_default_str();
  command->callback([options] {
    storage::Database db = storage::Database::open(options->db_path, storage::Database::Access::ReadOnly);
    const reports::KeptModels model =
        reports::load_job_model(db, options->job_id, options->weights_path, options->device);
    const std::vector<media::RgbImage> frames = reports::load_candidate_frames(options->image_path);
    const torch::Tensor inputs = reports::backbone_inputs(frames, *model.backbone, model.identity.image_size);
    const reports::GradCamResult cam =
        reports::grad_cam(*model.backbone, model.heads(), inputs, options->target_class);
    reports::write_png(options->output_path, reports::overlay_heatmap(frames.front(), cam.maps[0]));
    for (size_t k = 0; k < cam.probabilities.size(); ++k)
      std::cout << fmt::format("class {}: {:.4f}\n", k, cam.probabilities[k]);
    std::cout << fmt::format("explained class {} -> {}\n", cam.target_class, options->output_path);
  });
}

}  // namespace popsweep::app
