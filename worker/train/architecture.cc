#include "worker/train/architecture.h"

#include <fmt/format.h>

#include "common/error.h"

namespace popsweep::train {
namespace {

struct NamedArchitecture {
  std::string_view name;
  Architecture architecture;
};
constexpr NamedArchitecture kArchitectures[] = {
    {"image", Architecture::kImage},
    {"cnn_rnn", Architecture::kCnnRnn},
    {"video_to_image", Architecture::kVideoToImage},
    {"image_to_video", Architecture::kImageToVideo},
};

// Keras' GRU with reset_after=True, which LibTorch's GRU also computes: three
// gates, each with an input kernel, a recurrent kernel and two biases.
std::int64_t gru_parameters(std::int64_t inputs, std::int64_t units) {
  return 3 * (units * inputs + units * units + 2 * units);
}

std::int64_t dense_parameters(std::int64_t inputs, std::int64_t outputs) { return inputs * outputs + outputs; }

std::string with_thousands(std::int64_t value) {
  std::string digits = std::to_string(value);
  for (int at = static_cast<int>(digits.size()) - 3; at > 0; at -= 3) digits.insert(static_cast<size_t>(at), ",");
  return digits;
}

}  // namespace

Architecture parse_architecture(std::string_view name) {
  std::string valid;
  for (const NamedArchitecture& known : kArchitectures) {
    if (known.name == name) return known.architecture;
    valid += (valid.empty() ? "" : ", ") + std::string(known.name);
  }
  throw ConfigError("unknown architecture '" + std::string(name) + "' (valid: " + valid + ")");
}

std::string architecture_name(Architecture architecture) {
  for (const NamedArchitecture& known : kArchitectures) {
    if (known.architecture == architecture) return std::string(known.name);
  }
  throw Error("architecture_name: unknown enum value");
}

bool takes_sequences(Architecture architecture) {
  return architecture == Architecture::kCnnRnn || architecture == Architecture::kImageToVideo;
}

bool mixes_media(Architecture architecture) {
  return architecture == Architecture::kVideoToImage || architecture == Architecture::kImageToVideo;
}

int head_outputs(int classes) {
  if (classes < 2) throw ConfigError("a classifier needs at least 2 classes, got " + std::to_string(classes));
  return classes == 2 ? 1 : classes;
}

std::int64_t head_input_width(InputSet inputs, int context_width) {
  switch (inputs) {
    case InputSet::kVisual:
      return kEmbeddingSize;
    case InputSet::kContext:
      return context_width;
    case InputSet::kVisualContext:
      return kEmbeddingSize + context_width;
  }
  return kEmbeddingSize;
}

ModelDescription describe_model(Architecture architecture, int classes, InputSet inputs, int context_width) {
  const int outputs = head_outputs(classes);
  if (reads_context(inputs) && context_width < 1) {
    throw ConfigError("a model with context inputs needs at least one context feature");
  }
  const std::string output_name = classes == 2 ? "dense (sigmoid)" : "dense (softmax)";
  ModelDescription model;
  model.architecture = architecture_name(architecture);
  model.classes = classes;
  model.inputs = input_set_name(inputs);
  const std::string frames = std::to_string(kVideoFrames) + "x";
  const bool on_videos = architecture != Architecture::kImage;
  const std::string context = std::to_string(context_width);
  if (reads_visual(inputs)) {
    model.layers.push_back(
        {on_videos ? "EfficientNet-B0 backbone, per frame (frozen)" : "EfficientNet-B0 backbone (frozen)",
         (on_videos ? frames : "") + std::to_string(kEmbeddingSize), 0, kBackboneParameters});
  }
  if (takes_sequences(architecture)) {
    // Context alone enters the GRUs as a static sequence, as M16 feeds images.
    const std::int64_t first_inputs = inputs == InputSet::kContext ? context_width : kEmbeddingSize;
    if (inputs == InputSet::kContext) {
      model.layers.push_back({"context vector (standardised), as a static sequence", frames + context, 0, 0});
    }
    model.layers.push_back({"gru (dropout 0.2 on inputs)", frames + std::to_string(kFirstGruUnits),
                            gru_parameters(first_inputs, kFirstGruUnits), 0});
    model.layers.push_back({"gru (dropout 0.2 on inputs), last state", std::to_string(kSecondGruUnits),
                            gru_parameters(kFirstGruUnits, kSecondGruUnits), 0});
    std::int64_t joined = kSecondGruUnits;
    if (inputs == InputSet::kVisualContext) {
      joined += context_width;
      model.layers.push_back({"joined with the context vector (standardised)", std::to_string(joined), 0, 0});
    }
    model.layers.push_back({"dropout 0.2", std::to_string(joined), 0, 0});
    model.layers.push_back({"dense (relu)", std::to_string(kRecurrentDenseUnits),
                            dense_parameters(joined, kRecurrentDenseUnits), 0});
    model.layers.push_back(
        {output_name, std::to_string(outputs), dense_parameters(kRecurrentDenseUnits, outputs), 0});
  } else {
    if (architecture == Architecture::kVideoToImage && reads_visual(inputs)) {
      model.layers.push_back({"maximum over frames", std::to_string(kEmbeddingSize), 0, 0});
    }
    const std::int64_t width = head_input_width(inputs, context_width);
    if (inputs == InputSet::kContext) {
      model.layers.push_back({"context vector (standardised)", context, 0, 0});
    } else if (inputs == InputSet::kVisualContext) {
      model.layers.push_back({"joined with the context vector (standardised)", std::to_string(width), 0, 0});
    }
    model.layers.push_back({"dropout 0.2", std::to_string(width), 0, 0});
    model.layers.push_back({output_name, std::to_string(outputs), dense_parameters(width, outputs), 0});
  }
  for (const ModelLayer& layer : model.layers) {
    model.trainable += layer.trainable;
    model.frozen += layer.frozen;
  }
  return model;
}

std::string ModelDescription::text() const {
  std::string out = fmt::format("{} model, {} classes, {} inputs\n", architecture, classes, inputs);
  out += fmt::format("{:<46} {:>8} {:>12} {:>12}\n", "layer", "output", "trainable", "frozen");
  for (const ModelLayer& layer : layers) {
    out += fmt::format("{:<46} {:>8} {:>12} {:>12}\n", layer.name, layer.output_shape, with_thousands(layer.trainable),
                       with_thousands(layer.frozen));
  }
  out += fmt::format("{:<46} {:>8} {:>12} {:>12}\n", "total", "", with_thousands(trainable), with_thousands(frozen));
  out += fmt::format("parameters: {} ({} trainable, {} frozen)\n", with_thousands(total()), with_thousands(trainable),
                     with_thousands(frozen));
  return out;
}

}  // namespace popsweep::train
