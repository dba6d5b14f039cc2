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
#include "worker/nets/efficientnet_b0_weights.h"
#include "worker/nets/imagenet_preprocessing.h"
#include "worker/nets/safetensors.h"
#include "worker/nets/state_dict_loader.h"
#include "worker/nets/tflite_import.h"
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

}  // namespace

void initialise_randomly(MobileNetV2Impl& model, std::uint64_t seed) {
  initialise_like_torchvision(model, seed, ClassifierInitialisation::kNormal001);
}

LoadedMobileNetV2 load_mobilenet_v2(const std::string& weights, std::uint64_t seed,
                                    const torch::Device& device) {
  LoadedMobileNetV2 loaded;
  loaded.input_mean = kImageNetMean;
  loaded.input_std = kImageNetStd;
  if (weights == kRandomWeights) {
    spdlog::warn(
        "MobileNetV2 has RANDOM weights (seed {}): its features are NOT ImageNet-pretrained, so duplicates, "
        "t-SNE maps and every model trained on them mean nothing for the method (M13). Import real weights "
        "with `popsweep weights import --tflite`.",
        seed);
    loaded.model = MobileNetV2(MobileNetV2Options{});
    initialise_randomly(*loaded.model, seed);
    loaded.random_weights = true;
  } else {
    const std::map<std::string, std::string> metadata =
        read_safetensors_metadata(read_header_bytes(weights), weights);
    const std::vector<NamedTensorRecord> tensors = read_weight_file(weights);
    MobileNetV2Options options;
    options.classes = classifier_classes(tensors, weights);
    const auto architecture = metadata.find(kMetadataArchitecture);
    if (architecture != metadata.end() && architecture->second != "mobilenet_v2") {
      throw InputError(weights, 0, kMetadataArchitecture,
                       "holds " + architecture->second + " weights, not mobilenet_v2");
    }
    const auto padding = metadata.find(kMetadataPadding);
    if (padding != metadata.end()) {
      if (padding->second != kTensorFlowSamePadding && padding->second != "symmetric") {
        throw InputError(weights, 0, kMetadataPadding,
                         "unknown padding " + padding->second + " (tf_same or symmetric)");
      }
      if (padding->second == kTensorFlowSamePadding) options.padding = MobileNetV2Padding::kTensorFlowSame;
    }
    const auto mean = metadata.find(kMetadataInputMean), std = metadata.find(kMetadataInputStd);
    if ((mean == metadata.end()) != (std == metadata.end())) {
      throw InputError(weights, 0, "", "metadata holds only one of input_mean and input_std");
    }
    if (mean != metadata.end()) {
      loaded.input_mean = parse_triple(mean->second, kMetadataInputMean, weights);
      loaded.input_std = parse_triple(std->second, kMetadataInputStd, weights);
      for (const float value : loaded.input_std) {
        if (!(value > 0))
          throw InputError(weights, 0, kMetadataInputStd, "must be positive, got " + std->second);
      }
    }
    const auto size = metadata.find("input_size");
    if (size != metadata.end()) {
      std::istringstream in(size->second);
      if (!(in >> loaded.input_size) || loaded.input_size < 32 || loaded.input_size > 4096) {
        throw InputError(weights, 0, "input_size",
                         "expected a side between 32 and 4096, got " + size->second);
      }
    }
    loaded.model = MobileNetV2(options);
    load_state_dict(*loaded.model, tensors, weights);
    spdlog::debug("MobileNetV2 weights loaded from {} ({} classes)", weights, options.classes);
  }
  loaded.model->eval();
  loaded.model->to(device);
  return loaded;
}

}  // namespace popsweep::nets
