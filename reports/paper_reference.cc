#include "reports/paper_reference.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "reports/results_tables.h"
#include "reports/sweep_results.h"

namespace popsweep::reports {
namespace {

// ../shared/METHOD.md, "The paper's numbers" (docs/METHOD.md, "The paper's
// published accuracies").
struct PaperRow {
  const char* experiment;
  double three_classes;
  double two_classes;
};
constexpr PaperRow kPaperTable[] = {
    {"image", 0.54, 0.72},
    {"cnn_rnn", 0.53, 0.70},
    {"image_to_video", 0.54, 0.70},
    {"video_to_image", 0.54, 0.71},
};
constexpr double kPaperImageTop2ThreeClasses = 0.85;
constexpr int kPaperFolds = 5;
constexpr int kPaperRepeats = 3;
constexpr int kPaperEpochs = 15;

std::string text_at(const nlohmann::json& object, const std::string& key) {
  const auto found = object.find(key);
  if (found == object.end()) return "";
  return found->is_string() ? found->get<std::string>() : found->dump();
}

int int_at(const nlohmann::json& object, const std::string& key, int fallback) {
  const auto found = object.find(key);
  return found != object.end() && found->is_number_integer() ? found->get<int>() : fallback;
}

bool paper_protocol(const PointProtocol& protocol) {
  if (protocol.split != "media" || protocol.experiments.empty() || protocol.classes.empty()) return false;
  for (const std::string& experiment : protocol.experiments) {
    if (!paper_accuracy(experiment, 2)) return false;
  }
  return std::all_of(protocol.classes.begin(), protocol.classes.end(), [](int k) { return k == 2 || k == 3; });
}

// The weights by name, "random", or empty when the sweep does not say.
std::string weights_of(const PointProtocol& protocol) {
  const std::string named = text_at(protocol.identity, "features.weights");
  if (!named.empty()) return named;
  const std::string hash = text_at(protocol.job_params.value("features", nlohmann::json::object()), "weights_hash");
  if (hash.empty()) return "";
  return hash.rfind("random", 0) == 0 ? "random" : "a file with SHA-256 " + hash.substr(0, 12) + "...";
}

std::string why_not_comparable(const PointProtocol& protocol) {
  const bool random = weights_of(protocol) == "random";
  const std::string preset = text_at(protocol.identity, "profile.synth.preset");
  if (!random && preset.empty()) return "";
  std::string why = random ? "the backbone's weights are random (features.weights: random), not pretrained" : "";
  if (!preset.empty()) why += (why.empty() ? "" : ", and ") + std::string("the profile is synthetic (profile.synth.preset: ") + preset + ")";
  return "The paper's published accuracies are not shown beside these results: " + why +
         ", so setting them side by side would mislead.";
}

std::vector<std::string> remaining_differences(const PointProtocol& protocol) {
  const nlohmann::json features = protocol.job_params.value("features", nlohmann::json::object());
  const nlohmann::json train = protocol.job_params.value("train", nlohmann::json::object());
  const std::string path = text_at(protocol.identity, "profile.path");
  std::vector<std::string> differences;
  differences.push_back("data: " + (path.empty() ? std::string("this profile") : "the profile " + path) +
                        ", not the paper's private data (one brand over 5 years: 1469 images and 556 videos "
                        "after cleaning)");
  const std::string backbone = text_at(features, "backbone");
  differences.push_back(backbone == "efficientnet_b0"
                            ? "backbone: EfficientNet-B0, as the paper (M13)"
                            : "backbone: " + backbone + "; the paper's was EfficientNet-B0 (M13)");
  differences.push_back("weights: " + weights_of(protocol) +
                        "; the paper's were ImageNet weights of EfficientNet-B0 in Keras");
  const int folds = int_at(protocol.job_params, "folds", 0);
  std::string split = fmt::format("split: stratified folds over media items as the paper (M19), {} folds x {} repeats",
                                  folds, protocol.repeats);
  if (folds != kPaperFolds || protocol.repeats != kPaperRepeats)
    split += fmt::format(" (the paper: {} x {})", kPaperFolds, kPaperRepeats);
  differences.push_back(split + "; the folds themselves come from another shuffle than the paper's");
  const int views = int_at(features, "views", 0);
  if (text_at(train, "mode") == "pixels") {
    differences.push_back("augmentation: drawn anew from the pixels every epoch, as the paper (M14)");
  } else if (views == 0) {
    differences.push_back("augmentation: none (features.views: 0); the paper augmented images on the fly (M14)");
  } else {
    differences.push_back(fmt::format("augmentation: {} augmented views per image computed once, one drawn per "
                                      "epoch; the paper augmented images on the fly (M14)",
                                      views));
  }
  const int epochs = int_at(train, "epochs", kPaperEpochs);
  if (epochs != kPaperEpochs) differences.push_back(fmt::format("training: {} epochs; the paper: 15 (M18)", epochs));
  return differences;
}

bool same_value(const nlohmann::json& swept, const nlohmann::json& recorded) {
  if (!recorded.is_string()) return swept == recorded;
  const std::string text = recorded.get<std::string>();
  if (swept.is_string()) return swept.get<std::string>() == text;
  if (swept.is_number()) {
    try {
      return std::stod(text) == swept.get<double>();
    } catch (const std::exception&) {
      return false;
    }
  }
  return swept.dump() == text;
}

// The sweep identity's entry of a point, experiment and number of classes
// (every repeat's entry holds the same values); {} when there is none.
nlohmann::json identity_entry(const nlohmann::json& identity, const std::string& point, const std::string& experiment,
                              int classes) {
  const nlohmann::json swept = nlohmann::json::parse(point, nullptr, false);
  if (!identity.is_object() || !identity.contains("points") || !identity.at("points").is_array()) return {};
  for (const nlohmann::json& entry : identity.at("points")) {
    if (!entry.is_object() || text_at(entry, "train.experiments") != experiment ||
        text_at(entry, "train.classes") != std::to_string(classes)) {
      continue;
    }
    bool matches = true;
    if (swept.is_object()) {
      for (const auto& [key, value] : swept.items()) matches &= entry.contains(key) && same_value(value, entry.at(key));
    }
    if (matches) return entry;
  }
  return nlohmann::json::object();
}

template <typename T>
void add_once(std::vector<T>& values, const T& value) {
  if (std::find(values.begin(), values.end(), value) == values.end()) values.push_back(value);
}

}  // namespace

std::optional<double> paper_accuracy(const std::string& experiment, int classes) {
  for (const PaperRow& row : kPaperTable) {
    if (experiment != row.experiment) continue;
    if (classes == 3) return row.three_classes;
    if (classes == 2) return row.two_classes;
  }
  return std::nullopt;
}

std::optional<double> paper_top2_accuracy(const std::string& experiment, int classes) {
  if (experiment == "image" && classes == 3) return kPaperImageTop2ThreeClasses;
  return std::nullopt;
}

PaperReference paper_reference(const PointProtocol& protocol) {
  PaperReference reference;
  // Without knowing the weights there is nothing to say either way.
  if (!paper_protocol(protocol) || weights_of(protocol).empty()) return reference;
  reference.note = why_not_comparable(protocol);
  if (!reference.note.empty()) return reference;
  reference.shown = true;
  reference.differences = remaining_differences(protocol);
  return reference;
}

std::map<std::string, PaperReference> paper_references(const SweepResults& results) {
  const nlohmann::json identity = nlohmann::json::parse(results.sweep.spec_text, nullptr, false);
  std::map<std::string, PointProtocol> protocols;
  std::map<std::string, std::set<int>> repeats;
  for (const ResultGroup& group : results.groups) {
    PointProtocol& protocol = protocols[group.point];
    add_once(protocol.experiments, group.experiment);
    add_once(protocol.classes, group.classes);
    if (group.split != "media") protocol.split = group.split;
    if (protocol.identity.empty()) protocol.identity = identity_entry(identity, group.point, group.experiment, group.classes);
    for (const TrainedJob& job : group.jobs) {
      if (protocol.job_params.empty()) protocol.job_params = job.params;
      repeats[group.point].insert(job.result.repeat);
    }
  }
  std::map<std::string, PaperReference> references;
  for (auto& [point, protocol] : protocols) {
    protocol.repeats = static_cast<int>(repeats[point].size());
    references[point] = paper_reference(protocol);
  }
  return references;
}

std::vector<PaperNote> paper_reference_notes(const SweepResults& results) {
  std::vector<PaperNote> notes;
  for (const auto& [point, reference] : results.paper_by_point) {
    const std::string where = describe_point(point);
    const std::string prefix = where.empty() ? "" : where + ": ";
    if (reference.shown) {
      notes.push_back({prefix + "the \"paper (reference)\" columns are the paper's published accuracies, on its "
                                "own data; they are a reference, not a result of this sweep. Differences that "
                                "remain:",
                       reference.differences});
    } else if (!reference.note.empty()) {
      notes.push_back({prefix + reference.note, {}});
    }
  }
  return notes;
}

}  // namespace popsweep::reports
