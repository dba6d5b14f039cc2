// The frozen image backbone the rest of popsweep sees (M13): ImageNet
// features for images, and the last conv feature map for Grad-CAM (M20).
// Callers name a backbone and its weights in a BackboneSpec; load_backbone
// builds it on the requested device, ready for frozen inference.
//
// Two architectures, both with torchvision's state-dict names and 1280-d
// pooled features: EfficientNet-B0 (weights from a torch.save archive or a
// safetensors file, efficientnet_b0_weights.h) and MobileNetV2 (also from a
// safetensors file made by `popsweep weights import` out of a TFLite model,
// mobilenet_v2_weights.h, or the builtin ImageNet model "builtin:mobilenet_v2");
// either may be "random".
#pragma once

#include <torch/torch.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>

namespace popsweep::nets {

class FrozenBackbone {
 public:
  virtual ~FrozenBackbone() = default;
  virtual std::string name() const = 0;       // "efficientnet_b0"
  virtual int feature_dimension() const = 0;  // 1280
  virtual int input_size() const = 0;         // the side images are resized to (224)
  // The per-channel normalisation the weights expect: ImageNet's for torchvision weights.
  virtual std::array<float, 3> input_mean() const = 0;
  virtual std::array<float, 3> input_std() const = 0;
  // `images`: [N, 3, H, W] float, already normalised, on any device. Returns
  // the global-average-pooled features [N, feature_dimension()] on the
  // backbone's device: an ordinary tensor without grad (usable as input to a
  // head being trained), computed on the optimised path (batch norms folded,
  // channels-last, InferenceMode) in passes of a fixed number of rows (16 on
  // a CPU), so a row's features never depend on the rows it came with.
  virtual torch::Tensor embed(const torch::Tensor& images) = 0;
  // For Grad-CAM (M20): the last conv layer's output [N, C, h, w] on the
  // backbone's device, computed on the optimised path. It is a leaf that
  // requires grad, so the gradient of a score computed from it (through
  // pool() and a head) is taken with respect to it; the frozen backbone below
  // it is not differentiated.
  virtual torch::Tensor feature_map(const torch::Tensor& images) = 0;
  // The head's input from a feature map: [N, feature_dimension()], differentiable.
  // embed() and pool() agree: random weights give unit-RMS vectors from both
  // (raw random-weight features are vanishingly small), pretrained ones the
  // plain global average.
  virtual torch::Tensor pool(const torch::Tensor& feature_map) = 0;
  virtual torch::Device device() const = 0;
};

struct BackboneSpec {
  // Architecture: "efficientnet_b0" or "mobilenet_v2".
  std::string name = "efficientnet_b0";
  // A torch.save archive or a safetensors file, a builtin
  // ("builtin:mobilenet_v2", builtin_weights.h), or "random" (seeded by
  // random_seed; logs a warning: features are then not pretrained).
  std::string weights = "random";
  std::uint64_t random_seed = 0;
  // A LibTorch device string: "cpu", "cuda", "cuda:1".
  std::string device = "cpu";
};

// Throws ConfigError for an unknown name or device or a builtin made for
// another architecture, InputError for a weight file that cannot be read or
// does not match the architecture.
std::unique_ptr<FrozenBackbone> load_backbone(const BackboneSpec& spec);

// What decides the features besides the architecture: "random:<seed>" for
// random weights, otherwise the SHA-256 (hex) of the weight file or of the
// builtin's bytes (the same as of the file it was built from).
std::string weights_identity(const BackboneSpec& spec);

}  // namespace popsweep::nets
