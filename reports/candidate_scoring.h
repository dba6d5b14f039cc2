// `popsweep predict`: how popular would these new posts be? Each candidate
// file is embedded like the training media (M11-M13: an image as one plain
// view, a video as its 15 M12 frames), every kept model of one experiment
// scores it, and the class probabilities are averaged over the models.
// Candidates are ranked by their expected class, sum_k k * p_k, so a post
// that is probably "high" ranks above one that is only maybe "medium".
// An unreadable file is reported and skipped; it never stops the others.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include "worker/media/rgb_image.h"
#include "worker/nets/backbone.h"
#include "worker/train/heads.h"

namespace popsweep::reports {

struct KeptModels;

struct ScoredCandidate {
  std::string file;
  std::vector<double> probabilities;  // mean over the models, one per class
  int predicted_class = 0;            // argmax of `probabilities`
  double expected_class = 0;          // sum_k k * p_k
  int rank = 0;                       // 1 = the highest expected class
};

struct SkippedCandidate {
  std::string file;
  std::string reason;
};

struct CandidateEmbedding {
  std::string file;
  torch::Tensor embeddings;  // [frames, features]: 1 frame for an image, 15 for a video
};

// True for the video extensions (.mp4 .mov .m4v .webm .mkv .avi, any case);
// everything else is decoded as an image, whose decoder says if it is not one.
bool is_video_file(const std::string& path);

// The pictures the backbone sees: the image, or the video's M12 frames.
// Throws media::MediaError naming the file.
std::vector<media::RgbImage> load_candidate_frames(const std::string& path);

// M11: [frames, 3, size, size], resized and normalised for `backbone`.
torch::Tensor backbone_inputs(const std::vector<media::RgbImage>& frames,
                              const nets::FrozenBackbone& backbone, int image_size);

// M11-M13 for one candidate: [frames, features] on the CPU.
torch::Tensor embed_candidate(nets::FrozenBackbone& backbone, const std::string& path, int image_size);

// The models' mean class probabilities for one candidate's embeddings.
std::vector<double> mean_class_probabilities(const std::vector<std::shared_ptr<train::HeadImpl>>& heads,
                                             const torch::Tensor& embeddings);

// Scores and ranks embedded candidates; returns them best first (ties keep
// the input order).
std::vector<ScoredCandidate> score_embeddings(const std::vector<std::shared_ptr<train::HeadImpl>>& heads,
                                              const std::vector<CandidateEmbedding>& candidates);

// Sorts by expected class, highest first (ties keep their order), and
// numbers the ranks from 1.
void rank_candidates(std::vector<ScoredCandidate>& scored);

struct CandidateScores {
  std::vector<ScoredCandidate> scored;  // best first
  std::vector<SkippedCandidate> skipped;
};

CandidateScores score_candidate_files(const KeptModels& models, const std::vector<std::string>& files);

// stdout formats: CSV "file,p_class0,..,p_class{K-1},predicted,rank" and a
// JSON array of {file, probabilities, predicted, expected_class, rank}.
std::string candidates_csv(const std::vector<ScoredCandidate>& scored, int classes);
std::string candidates_json(const std::vector<ScoredCandidate>& scored);

// `predict --explain-dir`: a Grad-CAM overlay (M20) of each scored
// candidate's predicted class, named "<rank>_<file name>.png"; for a video,
// over its first frame. Files that fail are returned, not thrown.
std::vector<SkippedCandidate> explain_candidates(const KeptModels& models,
                                                 const std::vector<ScoredCandidate>& scored,
                                                 const std::string& directory);

}  // namespace popsweep::reports
