#include "worker/nets/backbone_split.h"

#include <functional>

#include "common/error.h"
#include "worker/nets/efficientnet_b0_weights.h"
#include "worker/nets/feature_scaling.h"
#include "worker/nets/fixed_slices.h"
#include "worker/nets/imagenet_preprocessing.h"
#include "worker/nets/mobilenet_v2_architecture.h"
#include "worker/nets/mobilenet_v2_weights.h"

namespace popsweep::nets {
namespace {

constexpr std::int64_t kEfficientNetCode = 0;
constexpr std::int64_t kMobileNetCode = 1;

std::vector<MBConv> blocks_of(const EfficientNetB0Impl& model) {
  std::vector<MBConv> blocks;
  for (const std::vector<MBConv>& stage : model.stages)
    blocks.insert(blocks.end(), stage.begin(), stage.end());
  return blocks;
}

// The last `blocks` blocks and the 1x1 conv after them, in order: the
// modules themselves, shared with `model`.
torch::nn::Sequential tail_layers_of(const EfficientNetB0Impl& model, int blocks) {
  const std::vector<MBConv> all = blocks_of(model);
  torch::nn::Sequential layers;
  for (size_t i = all.size() - static_cast<size_t>(blocks); i < all.size(); ++i) layers->push_back(all[i]);
  layers->push_back(model.head);
  return layers;
}

torch::nn::Sequential tail_layers_of(const MobileNetV2Impl& model, int blocks) {
  torch::nn::Sequential layers;
  for (size_t i = model.blocks.size() - static_cast<size_t>(blocks); i < model.blocks.size(); ++i)
    layers->push_back(model.blocks[i]);
  layers->push_back(model.head);
  return layers;
}

void check_blocks(const std::string& backbone, int blocks) {
  const int count = backbone_block_count(backbone);
  if (blocks < 1 || blocks > count) {
    throw ConfigError("train.finetune_blocks " + std::to_string(blocks) + ": " + backbone + " has " +
                      std::to_string(count) + " blocks to unfreeze (1.." + std::to_string(count) + ")");
  }
}

// The frozen part: the backbone up to the cut, for inference, in fixed
// slices like the whole backbone (so a row's activations never depend on
// its neighbours).
class BackbonePrefix : public FrozenBackbone {
 public:
  using Run = std::function<torch::Tensor(const torch::Tensor&)>;
  struct Inputs {
    std::string name;
    int input_size = 224;
    std::array<float, 3> mean{}, std{};
  };

  BackbonePrefix(Inputs inputs, Run run, const torch::Device& device, int image_size)
      : inputs_(std::move(inputs)), run_(std::move(run)), device_(device) {
    torch::InferenceMode inference;
    shape_ = run_(torch::zeros({1, 3, image_size, image_size}, torch::TensorOptions(device_))).sizes().vec();
    shape_.erase(shape_.begin());
  }

  std::string name() const override { return inputs_.name; }
  int feature_dimension() const override { return static_cast<int>(shape_[0] * shape_[1] * shape_[2]); }
  int input_size() const override { return inputs_.input_size; }
  std::array<float, 3> input_mean() const override { return inputs_.mean; }
  std::array<float, 3> input_std() const override { return inputs_.std; }
  torch::Device device() const override { return device_; }
  const std::vector<std::int64_t>& shape() const { return shape_; }

  torch::Tensor embed(const torch::Tensor& images) override { return pool(activations(images)); }
  torch::Tensor feature_map(const torch::Tensor& images) override {
    return activations(images).requires_grad_(true);
  }
  torch::Tensor pool(const torch::Tensor& feature_map) override { return feature_map.flatten(1); }

 private:
  torch::Tensor activations(const torch::Tensor& images) {
    if (images.size(0) == 0) {
      std::vector<std::int64_t> empty{0};
      empty.insert(empty.end(), shape_.begin(), shape_.end());
      return torch::zeros(empty, torch::TensorOptions(device_));
    }
    torch::Tensor out;
    {
      torch::InferenceMode inference;
      out = run_in_fixed_slices(images, fixed_slice_rows(device_), device_, run_);
    }
    return out.clone();  // an ordinary tensor outside InferenceMode
  }

  Inputs inputs_;
  Run run_;
  torch::Device device_;
  std::vector<std::int64_t> shape_;
};

struct Loaded {
  std::unique_ptr<BackbonePrefix> prefix;
  torch::nn::Sequential tail_layers{nullptr};
  TailDescription description;
};

torch::Device device_of(const std::string& text) {
  try {
    return torch::Device(text);
  } catch (const c10::Error&) {
    throw ConfigError("bad backbone device '" + text + "' (expected cpu, cuda or cuda:N)");
  }
}

Loaded load_split(const BackboneSpec& spec, int blocks, int image_size) {
  check_blocks(spec.name, blocks);
  const torch::Device device = device_of(spec.device);
  Loaded loaded;
  loaded.description.backbone = spec.name;
  loaded.description.blocks = blocks;
  if (spec.name == "efficientnet_b0") {
    EfficientNetB0 model = load_efficientnet_b0(spec.weights, spec.random_seed, device);
    const size_t cut = blocks_of(*model).size() - static_cast<size_t>(blocks);
    auto run = [model, cut](const torch::Tensor& images) mutable {
      torch::Tensor x = model->stem->forward(images);
      std::vector<MBConv> all = blocks_of(*model);
      for (size_t i = 0; i < cut; ++i) x = all[i]->forward(x);
      return x;
    };
    loaded.prefix = std::make_unique<BackbonePrefix>(
        BackbonePrefix::Inputs{spec.name, static_cast<int>(kBackboneImageSize), kImageNetMean, kImageNetStd},
        run, device, image_size);
    loaded.tail_layers = tail_layers_of(*model, blocks);
    loaded.description.unit_rms = spec.weights == kRandomWeights;
  } else {
    LoadedMobileNetV2 network = load_mobilenet_v2(spec.weights, spec.random_seed, device);
    MobileNetV2 model = network.model;
    const size_t cut = model->blocks.size() - static_cast<size_t>(blocks);
    auto run = [model, cut](const torch::Tensor& images) mutable {
      torch::Tensor x = model->stem->forward(images);
      for (size_t i = 0; i < cut; ++i) x = model->blocks[i]->forward(x);
      return x;
    };
    loaded.prefix = std::make_unique<BackbonePrefix>(
        BackbonePrefix::Inputs{spec.name, static_cast<int>(network.input_size), network.input_mean,
                               network.input_std},
        run, device, image_size);
    loaded.tail_layers = tail_layers_of(*model, blocks);
    loaded.description.unit_rms = network.random_weights;
    loaded.description.tensorflow_padding = model->options().padding == MobileNetV2Padding::kTensorFlowSame;
  }
  loaded.description.input_shape = loaded.prefix->shape();
  return loaded;
}

}  // namespace

std::int64_t TailDescription::input_width() const {
  std::int64_t width = 1;
  for (const std::int64_t side : input_shape) width *= side;
  return width;
}

BackboneTailImpl::BackboneTailImpl(TailDescription description) : description_(std::move(description)) {
  check_blocks(description_.backbone, description_.blocks);
  if (description_.input_shape.size() != 3) throw Error("backbone tail: the input shape needs [C, H, W]");
  if (description_.backbone == "efficientnet_b0") {
    const EfficientNetB0Impl model;
    layers_ = tail_layers_of(model, description_.blocks);
  } else {
    MobileNetV2Options options;
    options.padding = description_.tensorflow_padding ? MobileNetV2Padding::kTensorFlowSame
                                                      : MobileNetV2Padding::kSymmetric;
    const MobileNetV2Impl model(options);
    layers_ = tail_layers_of(model, description_.blocks);
  }
  register_module("layers", layers_);
  const std::vector<std::int64_t>& shape = description_.input_shape;
  register_buffer(
      "description",
      torch::tensor({description_.backbone == "efficientnet_b0" ? kEfficientNetCode : kMobileNetCode,
                     static_cast<std::int64_t>(description_.blocks),
                     static_cast<std::int64_t>(description_.tensorflow_padding), shape[0], shape[1], shape[2],
                     static_cast<std::int64_t>(description_.unit_rms)},
                    torch::kLong));
  for (const std::shared_ptr<torch::nn::Module>& module : layers_->modules(false)) {
    if (auto* norm = dynamic_cast<torch::nn::BatchNorm2dImpl*>(module.get())) {
      norm->weight.requires_grad_(false);
      norm->bias.requires_grad_(false);
    }
  }
  torch::nn::Module::train(false);
}

TailDescription BackboneTailImpl::read_description(const torch::Tensor& stored) {
  if (stored.dim() != 1 || stored.numel() != 7 || stored.scalar_type() != torch::kLong) {
    throw Error("backbone tail: the stored description is not 7 integers");
  }
  const auto values = stored.accessor<std::int64_t, 1>();
  if (values[0] != kEfficientNetCode && values[0] != kMobileNetCode) {
    throw Error("backbone tail: unknown backbone code " + std::to_string(values[0]));
  }
  TailDescription description;
  description.backbone = values[0] == kEfficientNetCode ? "efficientnet_b0" : "mobilenet_v2";
  description.blocks = static_cast<int>(values[1]);
  description.tensorflow_padding = values[2] != 0;
  description.input_shape = {values[3], values[4], values[5]};
  description.unit_rms = values[6] != 0;
  return description;
}

torch::Tensor BackboneTailImpl::forward(const torch::Tensor& flat_inputs) {
  std::vector<std::int64_t> shape{flat_inputs.size(0)};
  shape.insert(shape.end(), description_.input_shape.begin(), description_.input_shape.end());
  const torch::Tensor pooled = layers_->forward(flat_inputs.reshape(shape)).mean({2, 3});
  return description_.unit_rms ? unit_rms(pooled) : pooled;
}

void BackboneTailImpl::train(bool /*on*/) { torch::nn::Module::train(false); }

std::vector<torch::Tensor> BackboneTailImpl::trainable_parameters() const {
  std::vector<torch::Tensor> trainable;
  for (const torch::Tensor& parameter : parameters()) {
    if (parameter.requires_grad()) trainable.push_back(parameter);
  }
  return trainable;
}

void BackboneTailImpl::copy_weights_from(const torch::nn::Sequential& source) {
  torch::NoGradGuard no_grad;
  auto copy = [](const torch::OrderedDict<std::string, torch::Tensor>& from,
                 torch::OrderedDict<std::string, torch::Tensor> to) {
    for (auto& item : to) {
      const torch::Tensor* value = from.find(item.key());
      if (value == nullptr || !value->sizes().equals(item.value().sizes()))
        throw Error("backbone tail: the backbone has no matching " + item.key());
      item.value().copy_(value->to(torch::kCPU));
    }
  };
  copy(source->named_parameters(), layers_->named_parameters());
  copy(source->named_buffers(), layers_->named_buffers());
}

std::shared_ptr<BackboneTailImpl> BackboneTailImpl::copy() const {
  auto copied = std::make_shared<BackboneTailImpl>(description_);
  copied->copy_weights_from(layers_);
  return copied;
}

BackboneSplit split_backbone(const BackboneSpec& spec, int blocks, int image_size) {
  Loaded loaded = load_split(spec, blocks, image_size);
  BackboneSplit split;
  split.tail = BackboneTail(loaded.description);
  split.tail->copy_weights_from(loaded.tail_layers);
  split.prefix = std::move(loaded.prefix);
  return split;
}

std::unique_ptr<FrozenBackbone> load_backbone_prefix(const BackboneSpec& spec, int blocks, int image_size) {
  return std::move(load_split(spec, blocks, image_size).prefix);
}

}  // namespace popsweep::nets
