// The four experiments' models (M14-M17) by name, their fixed sizes, and a
// description of their layers with parameter counts, without LibTorch so the
// command line can print it cheaply. heads.cc builds the modules from the
// same constants, and a test checks that the counts here equal the modules'.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "worker/train/input_set.h"

namespace popsweep::train {

enum class Architecture {
  kImage,         // M14: one embedding -> dropout -> dense
  kCnnRnn,        // M15: a 15-frame sequence -> GRU -> GRU -> dropout -> dense -> dense
  kVideoToImage,  // M17: a video's frame-wise maximum -> the image head
  kImageToVideo,  // M16: the CNN-RNN, trained also on images as static sequences
};

// "image", "cnn_rnn", "video_to_image", "image_to_video"; a ConfigError lists
// the valid names.
Architecture parse_architecture(std::string_view name);
std::string architecture_name(Architecture architecture);

// True for the architectures whose inputs are [N, frames, embedding]
// sequences; the others take [N, embedding].
bool takes_sequences(Architecture architecture);

// True for the mixed experiments (M16, M17): validated on videos, trained
// on images too.
bool mixes_media(Architecture architecture);

// Sizes fixed by the paper.
inline constexpr int kEmbeddingSize = 1280;  // EfficientNet-B0's pooled features (M7, M13)
inline constexpr int kVideoFrames = 15;      // M12
inline constexpr int kFirstGruUnits = 8;     // M15
inline constexpr int kSecondGruUnits = 6;
inline constexpr int kRecurrentDenseUnits = 8;
inline constexpr double kDefaultDropout = 0.2;
// torchvision's efficientnet_b0 `features` (the frozen backbone, M13):
// sum(p.numel() for p in efficientnet_b0().features.parameters()).
inline constexpr std::int64_t kBackboneParameters = 4007548;

// What the first layer of a head reads per item (per frame for the sequence
// heads): the embedding, the `context_width` context features, or both.
std::int64_t head_input_width(InputSet inputs, int context_width);

// Outputs of the last dense layer: one logit for two classes (sigmoid),
// otherwise one per class (softmax).
int head_outputs(int classes);

struct ModelLayer {
  std::string name;
  std::string output_shape;  // without the batch dimension, e.g. "15x8"
  std::int64_t trainable = 0;
  std::int64_t frozen = 0;
};

struct ModelDescription {
  std::string architecture;
  int classes = 0;
  std::string inputs = "visual";
  std::vector<ModelLayer> layers;
  std::int64_t trainable = 0;
  std::int64_t frozen = 0;
  std::int64_t total() const { return trainable + frozen; }
  // A table, one line per layer, then the totals (`popsweep models describe`).
  std::string text() const;
};

// Throws a ConfigError for fewer than two classes. `context_width`: the
// features of the context vector (read only when `inputs` has context).
ModelDescription describe_model(Architecture architecture, int classes, InputSet inputs = InputSet::kVisual,
                                int context_width = 0);

}  // namespace popsweep::train
