#include "worker/nets/backbone.h"

#include <torch/torch.h>  // explicit, so the build gives this file the precompiled header

#include <functional>
#include <optional>
#include <vector>

#include "common/error.h"
#include "common/sha256.h"
#include "worker/nets/builtin_weights.h"
#include "worker/nets/efficientnet_b0_weights.h"
#include "worker/nets/feature_scaling.h"
#include "worker/nets/fixed_slices.h"
#include "worker/nets/frozen_efficientnet_b0.h"
#include "worker/nets/imagenet_preprocessing.h"
#include "worker/nets/mobilenet_v2_architecture.h"
#include "worker/nets/mobilenet_v2_weights.h"

namespace popsweep::nets {
namespace {

// Every forward pass of embed() has exactly fixed_slice_rows() rows
// (fixed_slices.h): a media's features changed in the 7th digit with the
// batch it landed in, so a resumed extraction (which re-forms batches)
// drifted from an uninterrupted one.
std::int64_t slice_rows(const torch::Device& device) { return fixed_slice_rows(device); }

torch::Device parse_device(const std::string& text) {
  std::optional<torch::Device> device;
  try {
    device.emplace(text);
  } catch (const c10::Error&) {
    throw ConfigError("bad backbone device '" + text + "' (expected cpu, cuda or cuda:N)");
  }
  if (device->is_cuda() && !torch::cuda::is_available()) {
    throw ConfigError("backbone device '" + text + "' asked for, but this LibTorch sees no CUDA device");
  }
  return *device;
}

class EfficientNetB0Backbone : public FrozenBackbone {
 public:
  EfficientNetB0Backbone(EfficientNetB0 model, const torch::Device& device, bool random_weights)
      : device_(device),
        frozen_(model, FrozenBackboneOptions{device, true}),
        random_weights_(random_weights) {}

  std::string name() const override { return "efficientnet_b0"; }
  int feature_dimension() const override { return static_cast<int>(EfficientNetB0Impl::kFeatureChannels); }
  int input_size() const override { return static_cast<int>(kBackboneImageSize); }
  std::array<float, 3> input_mean() const override { return kImageNetMean; }
  std::array<float, 3> input_std() const override { return kImageNetStd; }
  torch::Device device() const override { return device_; }

  torch::Tensor embed(const torch::Tensor& images) override {
    if (images.size(0) == 0) return torch::empty({0, feature_dimension()}, torch::TensorOptions(device_));
    torch::Tensor features =
        run_in_fixed_slices(images, slice_rows(device_), device_,
                            [&](const torch::Tensor& slice) { return frozen_.embed(slice); });
    return random_weights_ ? unit_rms(features) : features;
  }

  // In the same fixed passes as embed(), so pool(feature_map(x)) is embed(x).
  torch::Tensor feature_map(const torch::Tensor& images) override {
    if (images.size(0) == 0) return frozen_.feature_map(images).requires_grad_(true);
    return run_in_fixed_slices(images, slice_rows(device_), device_,
                               [&](const torch::Tensor& slice) { return frozen_.feature_map(slice); })
        .requires_grad_(true);
  }

  torch::Tensor pool(const torch::Tensor& feature_map) override {
    if (feature_map.dim() != 4 || feature_map.size(1) != feature_dimension()) {
      throw Error("pool() needs a [N, " + std::to_string(feature_dimension()) + ", h, w] feature map, got " +
                  c10::str(feature_map.sizes()));
    }
    torch::Tensor pooled = feature_map.mean({2, 3});
    return random_weights_ ? unit_rms(pooled) : pooled;
  }

 private:
  torch::Device device_;
  FrozenEfficientNetB0 frozen_;
  bool random_weights_;
};

// MobileNetV2 runs its module as is (imported TFLite weights have no batch
// norms left to fold: theirs carry identity statistics), under InferenceMode,
// in slices like EfficientNet-B0.
class MobileNetV2Backbone : public FrozenBackbone {
 public:
  MobileNetV2Backbone(LoadedMobileNetV2 loaded, const torch::Device& device)
      : device_(device), loaded_(std::move(loaded)) {}

  std::string name() const override { return "mobilenet_v2"; }
  int feature_dimension() const override { return static_cast<int>(kMobileNetV2FeatureChannels); }
  int input_size() const override { return static_cast<int>(loaded_.input_size); }
  std::array<float, 3> input_mean() const override { return loaded_.input_mean; }
  std::array<float, 3> input_std() const override { return loaded_.input_std; }
  torch::Device device() const override { return device_; }

  torch::Tensor embed(const torch::Tensor& images) override {
    if (images.size(0) == 0) return torch::zeros({0, feature_dimension()}, torch::TensorOptions(device_));
    torch::Tensor features;
    {
      torch::InferenceMode inference;
      features = run_in_fixed_slices(images, slice_rows(device_), device_,
                                     [&](const torch::Tensor& slice) { return loaded_.model->embed(slice); });
    }
    // clone() outside InferenceMode turns the results into ordinary tensors.
    features = features.clone();
    return loaded_.random_weights ? unit_rms(features) : features;
  }

  torch::Tensor feature_map(const torch::Tensor& images) override {
    torch::Tensor map;
    {
      torch::InferenceMode inference;
      map = images.size(0) == 0
                ? loaded_.model->feature_map(images.to(device_))
                : run_in_fixed_slices(images, slice_rows(device_), device_, [&](const torch::Tensor& slice) {
                    return loaded_.model->feature_map(slice);
                  });
    }
    return map.clone().requires_grad_(true);
  }

  torch::Tensor pool(const torch::Tensor& feature_map) override {
    if (feature_map.dim() != 4 || feature_map.size(1) != feature_dimension()) {
      throw Error("pool() needs a [N, " + std::to_string(feature_dimension()) + ", h, w] feature map, got " +
                  c10::str(feature_map.sizes()));
    }
    torch::Tensor pooled = feature_map.mean({2, 3});
    return loaded_.random_weights ? unit_rms(pooled) : pooled;
  }

 private:
  torch::Device device_;
  LoadedMobileNetV2 loaded_;
};

}  // namespace

// Feature vectors of random backbones (feature_scaling.h).
torch::Tensor unit_rms(const torch::Tensor& features) {
  return features / features.pow(2).mean(-1, true).sqrt().clamp_min(1e-30);
}

std::unique_ptr<FrozenBackbone> load_backbone(const BackboneSpec& spec) {
  if (spec.name != "efficientnet_b0" && spec.name != "mobilenet_v2") {
    throw ConfigError("unknown backbone '" + spec.name + "' (known: efficientnet_b0, mobilenet_v2)");
  }
  if (spec.weights.empty()) throw ConfigError("no backbone weights given (a weight file, or 'random')");
  const std::string fitting = architecture_fixed_by_weights(spec.weights);
  if (!fitting.empty() && fitting != spec.name) {
    throw ConfigError("weights " + spec.weights + " are for the " + fitting + " backbone, not " + spec.name);
  }
  const torch::Device device = parse_device(spec.device);
  if (spec.name == "mobilenet_v2") {
    return std::make_unique<MobileNetV2Backbone>(load_mobilenet_v2(spec.weights, spec.random_seed, device),
                                                 device);
  }
  EfficientNetB0 model = load_efficientnet_b0(spec.weights, spec.random_seed, device);
  return std::make_unique<EfficientNetB0Backbone>(model, device, spec.weights == kRandomWeights);
}

std::string weights_identity(const BackboneSpec& spec) {
  if (spec.weights == kRandomWeights) return "random:" + std::to_string(spec.random_seed);
  if (is_builtin_weights(spec.weights)) return builtin_weights_sha256(find_builtin_weights(spec.weights));
  return sha256_file_hex(spec.weights);
}

}  // namespace popsweep::nets
