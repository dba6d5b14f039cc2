// The paper's published accuracies beside a sweep's results (issue 17): only
// for the paper's protocol (split media, its four experiments, 2 or 3
// classes) with pretrained weights on a real profile; with random weights or
// a synthetic profile there is no column and one line says why. Numbers from
// the table at the end of ../shared/METHOD.md.
#include "reports/paper_reference.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "reports/results_tables.h"
#include "reports/sweep_results.h"

namespace popsweep::reports {
namespace {

PointProtocol paper_point() {
  PointProtocol protocol;
  protocol.experiments = {"image", "cnn_rnn", "image_to_video", "video_to_image"};
  protocol.classes = {3, 2};
  protocol.job_params = {{"features", {{"backbone", "mobilenet_v2"}, {"weights_hash", "0a1b2c3d4e5f6789"}, {"views", 4}}},
                         {"train", {{"epochs", 15}, {"mode", "features"}}},
                         {"folds", 5}};
  protocol.identity = {{"features.weights", "builtin:mobilenet_v2"}, {"profile.synth.preset", ""},
                       {"profile.path", "data/brand"}};
  protocol.repeats = 3;
  return protocol;
}

bool mentions(const std::vector<std::string>& lines, const std::string& text) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& line) { return line.find(text) != std::string::npos; });
}

TEST(PaperReference, PublishedAccuracies) {
  EXPECT_DOUBLE_EQ(*paper_accuracy("image", 3), 0.54);
  EXPECT_DOUBLE_EQ(*paper_accuracy("image", 2), 0.72);
  EXPECT_DOUBLE_EQ(*paper_accuracy("cnn_rnn", 3), 0.53);
  EXPECT_DOUBLE_EQ(*paper_accuracy("cnn_rnn", 2), 0.70);
  EXPECT_DOUBLE_EQ(*paper_accuracy("image_to_video", 3), 0.54);
  EXPECT_DOUBLE_EQ(*paper_accuracy("image_to_video", 2), 0.70);
  EXPECT_DOUBLE_EQ(*paper_accuracy("video_to_image", 3), 0.54);
  EXPECT_DOUBLE_EQ(*paper_accuracy("video_to_image", 2), 0.71);
  EXPECT_DOUBLE_EQ(*paper_top2_accuracy("image", 3), 0.85);
  EXPECT_FALSE(paper_top2_accuracy("cnn_rnn", 3));
  EXPECT_FALSE(paper_accuracy("image", 4));
  EXPECT_FALSE(paper_accuracy("my_experiment", 2));
}

TEST(PaperReference, ShownForPretrainedWeightsOnARealProfileWithTheDifferencesThatRemain) {
  const PaperReference reference = paper_reference(paper_point());
  EXPECT_TRUE(reference.shown);
  EXPECT_TRUE(reference.note.empty());
  EXPECT_TRUE(mentions(reference.differences, "data: the profile data/brand, not the paper's private data"));
  EXPECT_TRUE(mentions(reference.differences, "backbone: mobilenet_v2; the paper's was EfficientNet-B0"));
  EXPECT_TRUE(mentions(reference.differences, "weights: builtin:mobilenet_v2"));
  EXPECT_TRUE(mentions(reference.differences, "split: stratified folds over media items as the paper (M19), 5 folds x 3 repeats;"));
  EXPECT_TRUE(mentions(reference.differences, "augmentation: 4 augmented views per image computed once"));
  EXPECT_FALSE(mentions(reference.differences, "epochs"));  // 15, as the paper
}

TEST(PaperReference, RandomWeightsOrASyntheticProfileGiveANoteInstead) {
  PointProtocol random = paper_point();
  random.identity["features.weights"] = "random";
  const PaperReference with_random = paper_reference(random);
  EXPECT_FALSE(with_random.shown);
  EXPECT_NE(with_random.note.find("random (features.weights: random)"), std::string::npos) << with_random.note;

  PointProtocol synthetic = paper_point();
  synthetic.identity["profile.synth.preset"] = "small";
  const PaperReference with_synthetic = paper_reference(synthetic);
  EXPECT_FALSE(with_synthetic.shown);
  EXPECT_NE(with_synthetic.note.find("synthetic (profile.synth.preset: small)"), std::string::npos);
}

TEST(PaperReference, OtherProtocolsGetNeitherColumnNorNote) {
  PointProtocol post = paper_point();
  post.split = "post";
  PointProtocol four_classes = paper_point();
  four_classes.classes = {4};
  PointProtocol other_experiment = paper_point();
  other_experiment.experiments.push_back("my_experiment");
  PointProtocol random_post = post;
  random_post.identity["features.weights"] = "random";
  for (const PointProtocol& protocol : {post, four_classes, other_experiment, random_post}) {
    const PaperReference reference = paper_reference(protocol);
    EXPECT_FALSE(reference.shown);
    EXPECT_TRUE(reference.note.empty()) << reference.note;
  }
}

// The results table of one point with the column, and without it.
TEST(PaperReference, ResultsTableCarriesTheColumnOnlyWhenShown) {
  SweepResults results;
  for (const int k : {3, 2}) {
    ResultGroup group;
    group.point = "{}";
    group.experiment = "image";
    group.classes = k;
    group.best.accuracy = group.last.accuracy = {0.6, 0.01};
    results.groups.push_back(group);
  }
  results.paper_by_point["{}"] = paper_reference(paper_point());
  const TextTable with = results_tables(results).at(0);
  EXPECT_EQ(with.header, (std::vector<std::string>{
                             "experiment", "3 classes best (selection-biased)", "3 classes paper (reference)",
                             "3 classes last", "3 classes p (last vs chance)", "3 classes majority",
                             "2 classes best (selection-biased)", "2 classes paper (reference)",
                             "2 classes last", "2 classes p (last vs chance)", "2 classes majority"}));
  EXPECT_EQ(with.rows.at(0).at(2), "0.54 (top-2 0.85)");
  EXPECT_EQ(with.rows.at(0).at(7), "0.72");

  PointProtocol random = paper_point();
  random.identity["features.weights"] = "random";
  results.paper_by_point["{}"] = paper_reference(random);
  const TextTable without = results_tables(results).at(0);
  EXPECT_EQ(std::count(without.header.begin(), without.header.end(), "3 classes paper (reference)"), 0);
  const std::vector<PaperNote> notes = paper_reference_notes(results);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].text.find("not shown"), std::string::npos);
}

}  // namespace
}  // namespace popsweep::reports
