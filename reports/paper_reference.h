// The paper's published accuracies (../shared/METHOD.md, "The paper's
// numbers"; docs/METHOD.md copies them) beside a sweep point's results, when
// the point ran the paper's protocol on data where the comparison means
// something: the `media` split, only the paper's four experiments and 2 or 3
// classes, pretrained weights (not `random`) and a real profile (not
// `profile.synth.preset`). The column is then marked as a reference and the
// differences that remain (data, backbone, weights, split, augmentation,
// epochs) are listed under the table. When the protocol matches but the
// weights are random or the profile synthetic there is no column, and one
// line says why.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace popsweep::reports {

// The paper's accuracy of `experiment` (image, cnn_rnn, image_to_video,
// video_to_image) with `classes` (2 or 3); nullopt for anything else.
std::optional<double> paper_accuracy(const std::string& experiment, int classes);
// Its top-2 accuracy, published for the image classifier with 3 classes only.
std::optional<double> paper_top2_accuracy(const std::string& experiment, int classes);

struct PaperReference {
  bool shown = false;                    // the table carries the paper's column
  std::vector<std::string> differences;  // listed under the table when shown
  std::string note;                      // why not shown, when the protocol matches; else empty
};

// What one sweep point ran, as the report knows it.
struct PointProtocol {
  std::vector<std::string> experiments;
  std::vector<int> classes;
  std::string split = "media";
  // A training job's parameters (features, train, folds) and the sweep
  // identity's entry for the point ({key: value as text}; may be empty, for
  // sweeps recorded before the identity held these keys).
  nlohmann::json job_params = nlohmann::json::object();
  nlohmann::json identity = nlohmann::json::object();
  int repeats = 0;
};

PaperReference paper_reference(const PointProtocol& protocol);

struct SweepResults;
// Per sweep point (its JSON, as ResultGroup::point).
std::map<std::string, PaperReference> paper_references(const SweepResults& results);

// The lines report.md, report.html and the terminal print under the results
// tables: per point, what the paper's column is and the differences that
// remain, or why there is no column.
struct PaperNote {
  std::string text;
  std::vector<std::string> items;
};
std::vector<PaperNote> paper_reference_notes(const SweepResults& results);

}  // namespace popsweep::reports
