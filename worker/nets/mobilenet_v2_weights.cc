#include "worker/nets/mobilenet_v2_weights.h"

#include <ATen/CPUGeneratorImpl.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>  // explicit, so the build gives this file the precompiled header

#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/error.h"
#include "common/file_util.h"
#include "worker/nets/builtin_weights.h"
#include "worker/nets/efficientnet_b0_weights.h"
#include "worker/nets/imagenet_preprocessing.h"
#include "worker/nets/safetensors.h"
#include "worker/nets/state_dict_loader.h"
#include "worker/nets/tflite_import.h"
#include "worker/nets/tflite_model.h"
#include "worker/nets/torchvision_initialisation.h"
#include "worker/nets/weight_file.h"

namespace popsweep::nets {
namespace {

std::vector<std::uint8_t> read_header_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, 0, "", "cannot read the weight file");
  std::vector<std::uint8_t> bytes(8);
  in.read(reinterpret_cast<char*>(bytes.data()), 8);
  if (in.gcount() != 8) return {};
  std::uint64_t length = 0;
  std::memcpy(&length, bytes.data(), 8);
  if (length > kMaxSafetensorsHeaderBytes) return bytes;  // reported by the full reader
  bytes.resize(8 + length);
  in.read(reinterpret_cast<char*>(bytes.data()) + 8, static_cast<std::streamsize>(length));
  bytes.resize(8 + static_cast<std::size_t>(in.gcount()));
  return bytes;
}

std::array<float, 3> parse_triple(const std::string& text, const std::string& key,
                                  const std::string& source) {
  std::array<float, 3> values{};
  std::istringstream in(text);
  char comma = ',';
  for (int i = 0; i < 3; ++i) {
    if ((i > 0 && !(in >> comma)) || comma != ',' || !(in >> values[static_cast<std::size_t>(i)]) ||
        !std::isfinite(values[static_cast<std::size_t>(i)])) {
      throw InputError(source, 0, key, "expected three comma-separated numbers, got " + text);
    }
  }
  return values;
}

std::int64_t classifier_classes(const std::vector<NamedTensorRecord>& tensors, const std::string& source) {
  for (const NamedTensorRecord& named : tensors) {
    if (named.name != "classifier.1.weight" || named.tensor.shape.size() != 2) continue;
    // The file decides the size of the module built for it, so it is capped
    // before anything is allocated.
    const std::int64_t classes = named.tensor.shape[0];
    if (classes < 1 || classes > kMaxClassifierClasses) {
      throw InputError(source, 0, "classifier.1.weight",
                       "holds " + std::to_string(classes) + " classes; a classifier has 1 to " +
                           std::to_string(kMaxClassifierClasses));
    }
    return classes;
  }
  throw InputError(source, 0, "classifier.1.weight", "missing: not MobileNetV2 weights");
}

// The module for `tensors` (torchvision's names), set up as their metadata
// says (tflite_import.h); `source` names them in errors.
LoadedMobileNetV2 build_mobilenet_v2(const std::vector<NamedTensorRecord>& tensors,
                                     const std::map<std::string, std::string>& metadata,
                                     const std::string& source) {
  LoadedMobileNetV2 loaded;
  loaded.input_mean = kImageNetMean;
  loaded.input_std = kImageNetStd;
  MobileNetV2Options options;
  options.classes = classifier_classes(tensors, source);
  const auto architecture = metadata.find(kMetadataArchitecture);
  if (architecture != metadata.end() && architecture->second != "mobilenet_v2") {
    throw InputError(source, 0, kMetadataArchitecture,
                     "holds " + architecture->second + " weights, not mobilenet_v2");
  }
  const auto padding = metadata.find(kMetadataPadding);
  if (padding != metadata.end()) {
    if (padding->second != kTensorFlowSamePadding && padding->second != "symmetric") {
      throw InputError(source, 0, kMetadataPadding,
                       "unknown padding " + padding->second + " (tf_same or symmetric)");
    }
    if (padding->second == kTensorFlowSamePadding) options.padding = MobileNetV2Padding::kTensorFlowSame;
  }
  const auto mean = metadata.find(kMetadataInputMean), std = metadata.find(kMetadataInputStd);
  if ((mean == metadata.end()) != (std == metadata.end())) {
    throw InputError(source, 0, "", "metadata holds only one of input_mean and input_std");
  }
  if (mean != metadata.end()) {
    loaded.input_mean = parse_triple(mean->second, kMetadataInputMean, source);
    loaded.input_std = parse_triple(std->second, kMetadataInputStd, source);
    for (const float value : loaded.input_std) {
      if (!(value > 0))
        throw InputError(source, 0, kMetadataInputStd, "must be positive, got " + std->second);
    }
  }
  const auto size = metadata.find("input_size");
  if (size != metadata.end()) {
    std::istringstream in(size->second);
    if (!(in >> loaded.input_size) || loaded.input_size < 32 || loaded.input_size > 4096) {
      throw InputError(source, 0, "input_size", "expected a side between 32 and 4096, got " + size->second);
    }
  }
  loaded.model = MobileNetV2(options);
  load_state_dict(*loaded.model, tensors, source);
  spdlog::debug("MobileNetV2 weights loaded from {} ({} classes)", source, options.classes);
  return loaded;
}

}  // namespace

void initialise_randomly(MobileNetV2Impl& model, std::uint64_t seed) {
  initialise_like_torchvision(model, seed, ClassifierInitialisation::kNormal001);
}

LoadedMobileNetV2 load_mobilenet_v2(const std::string& weights, std::uint64_t seed,
                                    const torch::Device& device) {
  LoadedMobileNetV2 loaded;
  if (weights == kRandomWeights) {
    spdlog::warn(
        "MobileNetV2 has RANDOM weights (seed {}): its features are NOT ImageNet-pretrained, so duplicates, "
        "t-SNE maps and every model trained on them mean nothing for the method (M13). Use "
        "`features.weights: builtin:mobilenet_v2` (the ImageNet MobileNetV2 built into popsweep) or import "
        "real weights with `popsweep weights import --tflite`.",
        seed);
    loaded.input_mean = kImageNetMean;
    loaded.input_std = kImageNetStd;
    loaded.model = MobileNetV2(MobileNetV2Options{});
    initialise_randomly(*loaded.model, seed);
    loaded.random_weights = true;
  } else if (is_builtin_weights(weights)) {
    // Imported in memory exactly as `popsweep weights import` would write it.
    const BuiltinWeights& builtin = find_builtin_weights(weights);
    if (builtin.architecture != "mobilenet_v2") {
      throw ConfigError(weights + " holds " + builtin.architecture + " weights, not mobilenet_v2");
    }
    auto bytes =
        std::make_shared<const std::vector<std::uint8_t>>(builtin.bytes, builtin.bytes + builtin.size);
    const ImportedWeights imported = import_mobilenet_v2(parse_tflite(std::move(bytes), weights));
    loaded = build_mobilenet_v2(imported.tensors, imported.metadata, weights);
  } else {
    const std::map<std::string, std::string> metadata =
        read_safetensors_metadata(read_header_bytes(weights), weights);
    loaded = build_mobilenet_v2(read_weight_file(weights), metadata, weights);
  }
  loaded.model->eval();
  loaded.model->to(device);
  return loaded;
}

}  // namespace popsweep::nets
