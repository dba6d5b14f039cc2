#include "reports/candidate_scoring.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>

#include "common/csv.h"
#include "common/error.h"
#include "reports/grad_cam.h"
#include "reports/heatmap_overlay.h"
#include "reports/trained_models.h"
#include "worker/media/image_decoder.h"
#include "worker/media/image_preprocess.h"
#include "worker/media/video_frame_sampler.h"

namespace popsweep::reports {
namespace {

std::string lower_extension(const std::string& path) {
  std::string extension = std::filesystem::path(path).extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension;
}

ScoredCandidate score_one(const std::vector<std::shared_ptr<train::HeadImpl>>& heads,
                          const CandidateEmbedding& candidate) {
  ScoredCandidate scored;
  scored.file = candidate.file;
  scored.probabilities = mean_class_probabilities(heads, candidate.embeddings);
  const auto& p = scored.probabilities;
  scored.predicted_class = static_cast<int>(std::max_element(p.begin(), p.end()) - p.begin());
  for (size_t k = 0; k < p.size(); ++k) scored.expected_class += static_cast<double>(k) * p[k];
  return scored;
}

std::string format_probability(double value) {
  std::ostringstream text;
  text.precision(6);
  text << std::fixed << value;
  return text.str();
}

}  // namespace

bool is_video_file(const std::string& path) {
  static const char* const kVideoExtensions[] = {".mp4", ".mov", ".m4v", ".webm", ".mkv", ".avi"};
  const std::string extension = lower_extension(path);
  return std::any_of(std::begin(kVideoExtensions), std::end(kVideoExtensions),
                     [&](const char* video) { return extension == video; });
}

std::vector<media::RgbImage> load_candidate_frames(const std::string& path) {
  if (is_video_file(path)) return media::sample_video_frames(path);
  return {media::decode_image_file(path)};
}

torch::Tensor backbone_inputs(const std::vector<media::RgbImage>& frames,
                              const nets::FrozenBackbone& backbone, int image_size) {
  const media::ChannelNormalization normalization{backbone.input_mean(), backbone.input_std()};
  torch::Tensor inputs =
      torch::empty({static_cast<int64_t>(frames.size()), 3, image_size, image_size}, torch::kFloat32);
  for (size_t i = 0; i < frames.size(); ++i) {
    const std::vector<float> planes = media::preprocess_image(frames[i], image_size, normalization);
    std::copy(planes.begin(), planes.end(), inputs[static_cast<int64_t>(i)].data_ptr<float>());
  }
  return inputs;
}

torch::Tensor embed_candidate(nets::FrozenBackbone& backbone, const std::string& path, int image_size) {
  const torch::Tensor inputs = backbone_inputs(load_candidate_frames(path), backbone, image_size);
  return backbone.embed(inputs.to(backbone.device())).to(torch::kCPU, torch::kFloat32);
}

std::vector<double> mean_class_probabilities(const std::vector<std::shared_ptr<train::HeadImpl>>& heads,
                                             const torch::Tensor& embeddings) {
  if (heads.empty()) throw Error("scoring needs at least one model");
  const int classes = heads.front()->classes();
  torch::NoGradGuard no_gradients;
  torch::Tensor sum = torch::zeros({1, classes}, torch::kFloat64);
  for (const std::shared_ptr<train::HeadImpl>& head : heads) {
    sum += train::class_probabilities(head->logits(model_input(head->architecture(), embeddings), nullptr),
                                      classes);
  }
  const torch::Tensor mean = (sum / static_cast<double>(heads.size())).reshape({-1}).contiguous();
  return std::vector<double>(mean.data_ptr<double>(), mean.data_ptr<double>() + classes);
}

std::vector<ScoredCandidate> score_embeddings(const std::vector<std::shared_ptr<train::HeadImpl>>& heads,
                                              const std::vector<CandidateEmbedding>& candidates) {
  std::vector<ScoredCandidate> scored;
  for (const CandidateEmbedding& candidate : candidates) scored.push_back(score_one(heads, candidate));
  rank_candidates(scored);
  return scored;
}

void rank_candidates(std::vector<ScoredCandidate>& scored) {
  std::stable_sort(scored.begin(), scored.end(), [](const ScoredCandidate& a, const ScoredCandidate& b) {
    return a.expected_class > b.expected_class;
  });
  for (size_t i = 0; i < scored.size(); ++i) scored[i].rank = static_cast<int>(i) + 1;
}

CandidateScores score_candidate_files(const KeptModels& models, const std::vector<std::string>& files) {
  CandidateScores result;
  std::vector<CandidateEmbedding> embedded;
  for (const std::string& file : files) {
    try {
      embedded.push_back({file, embed_candidate(*models.backbone, file, models.identity.image_size)});
    } catch (const InputError& error) {
      // A candidate we cannot read is the user's data problem, not ours:
      // report it and score the rest.
      result.skipped.push_back({file, error.what()});
    }
  }
  result.scored = score_embeddings(models.heads(), embedded);
  return result;
}

std::string candidates_csv(const std::vector<ScoredCandidate>& scored, int classes) {
  std::ostringstream out;
  std::vector<std::string> header{"file"};
  for (int k = 0; k < classes; ++k) header.push_back("p_class" + std::to_string(k));
  header.insert(header.end(), {"predicted", "rank"});
  write_csv_row(out, header);
  for (const ScoredCandidate& candidate : scored) {
    std::vector<std::string> row{candidate.file};
    for (double p : candidate.probabilities) row.push_back(format_probability(p));
    row.push_back(std::to_string(candidate.predicted_class));
    row.push_back(std::to_string(candidate.rank));
    write_csv_row(out, row);
  }
  return out.str();
}

std::string candidates_json(const std::vector<ScoredCandidate>& scored) {
  nlohmann::json array = nlohmann::json::array();
  for (const ScoredCandidate& candidate : scored) {
    array.push_back({{"file", candidate.file},
                     {"probabilities", candidate.probabilities},
                     {"predicted", candidate.predicted_class},
                     {"expected_class", candidate.expected_class},
                     {"rank", candidate.rank}});
  }
  return array.dump(2) + "\n";
}

std::vector<SkippedCandidate> explain_candidates(const KeptModels& models,
                                                 const std::vector<ScoredCandidate>& scored,
                                                 const std::string& directory) {
  std::filesystem::create_directories(directory);
  std::vector<SkippedCandidate> failed;
  for (const ScoredCandidate& candidate : scored) {
    const std::string name = std::filesystem::path(candidate.file).filename().string();
    const std::string output =
        (std::filesystem::path(directory) / (std::to_string(candidate.rank) + "_" + name + ".png")).string();
    try {
      const std::vector<media::RgbImage> frames = load_candidate_frames(candidate.file);
      const torch::Tensor inputs = backbone_inputs(frames, *models.backbone, models.identity.image_size);
      const GradCamResult cam = grad_cam(*models.backbone, models.heads(), inputs, candidate.predicted_class);
      write_png(output, overlay_heatmap(frames.front(), cam.maps[0]));
    } catch (const Error& error) {
      failed.push_back({candidate.file, error.what()});
    }
  }
  return failed;
}

}  // namespace popsweep::reports
