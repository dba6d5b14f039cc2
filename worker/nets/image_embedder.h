// One image in, one backbone feature out: what `popsweep embed` needs, behind
// a header free of LibTorch so that callers build fast. The model is loaded
// once per ImageEmbedder and run through FrozenEfficientNetB0 (batch norms
// folded, channels-last) unless the unfolded reference path is asked for.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace popsweep::nets {

struct ImageEmbedderSettings {
  // Only "efficientnet_b0" so far.
  std::string backbone = "efficientnet_b0";
  // A torch.save archive or safetensors file, or "random" (seeded, warns).
  std::string weights;
  std::uint64_t seed = 0;
  // A torch device string: "cpu", "cuda", "cuda:1".
  std::string device = "cpu";
  // false runs the plain EfficientNetB0 module: slower, for cross-checks.
  bool fold_batch_norm = true;
};

// Tightly packed RGB rows, already resized to the backbone's input size.
struct RgbImageView {
  const std::uint8_t* pixels = nullptr;
  int width = 0;
  int height = 0;
};

class ImageEmbedder {
 public:
  explicit ImageEmbedder(const ImageEmbedderSettings& settings);
  ~ImageEmbedder();
  ImageEmbedder(const ImageEmbedder&) = delete;
  ImageEmbedder& operator=(const ImageEmbedder&) = delete;

  // The global-average-pooled feature (1280 floats for EfficientNet-B0).
  std::vector<float> embed(const RgbImageView& image) const;
  bool pretrained() const { return pretrained_; }

 private:
  struct Model;
  std::unique_ptr<Model> model_;
  bool pretrained_;
};

// LibTorch's intra-op thread count, which is process-wide: set it once, at
// the command-line boundary. 0 means one per hardware thread (LibTorch's own
// default may be 1, e.g. under OMP_NUM_THREADS=1).
void set_compute_threads(int threads);

}  // namespace popsweep::nets
