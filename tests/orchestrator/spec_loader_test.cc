// Spec parsing: every problem names the file, line and column (or the
// override) before any job runs; sweeps expand to their Cartesian product.
#include "tests/support/spec_error.h"
#include "orchestrator/spec_loader.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "common/file_util.h"
#include "orchestrator/spec.h"
#include "orchestrator/spec_schema.h"

namespace popsweep::orchestrator {
namespace {

using test_support::spec_error_of;

TEST(SpecLoader, DefaultsThenFileThenOverrides) {
  const LoadedSpec spec = parse_spec_text("train:\n  epochs: 7\n  lr: 0.01\nprofile:\n  synth:\n    preset: tiny\n",
                                          "dir/quick.yaml", {"train.epochs=5"});
  EXPECT_EQ(std::get<std::int64_t>(spec.values.at("train.epochs")), 5);
  EXPECT_DOUBLE_EQ(std::get<double>(spec.values.at("train.lr")), 0.01);
  EXPECT_EQ(std::get<std::int64_t>(spec.values.at("train.folds")), 5);
  EXPECT_EQ(std::get<std::string>(spec.values.at("name")), "quick");
  const Spec typed = make_spec(spec.values, spec.source);
  EXPECT_EQ(typed.database, "quick.db");
  EXPECT_EQ(typed.train.epochs, 5);
  EXPECT_EQ(typed.train.classes, (std::vector<int>{2, 3}));
}

TEST(SpecLoader, UnknownKeyNamesLineColumnAndSuggestion) {
  const std::string message = spec_error_of("train:\n  epochs: 3\n  epoch: 4\n");
  EXPECT_NE(message.find("s.yaml:3:3"), std::string::npos) << message;
  EXPECT_NE(message.find("'train.epoch'"), std::string::npos) << message;
  EXPECT_NE(message.find("did you mean 'train.epochs'"), std::string::npos) << message;
}

TEST(SpecLoader, WrongTypesAndImpossibleValues) {
  EXPECT_NE(spec_error_of("train:\n  epochs: many\n").find("s.yaml:2:11: 'train.epochs': 'many' is not a whole number"),
            std::string::npos)
      << spec_error_of("train:\n  epochs: many\n");
  EXPECT_NE(spec_error_of("train:\n  folds: 1\n").find("must be at least 2"), std::string::npos);
  EXPECT_NE(spec_error_of("labels:\n  mode: weekly\n").find("'weekly' is not one of centered, trailing, global"),
            std::string::npos);
  EXPECT_NE(spec_error_of("train:\n  experiments: [image, audio]\n").find("'audio' is not one of"), std::string::npos);
  EXPECT_NE(spec_error_of("train: [1, 2]\n").find("expected a mapping"), std::string::npos);
  EXPECT_NE(spec_error_of("train:\n  epochs: [1\n").find("not valid YAML"), std::string::npos);
}

TEST(SpecLoader, OverridesAreCheckedToo) {
  EXPECT_NE(spec_error_of("", {"train.lr=fast"}).find("command-line override 'train.lr=fast'"), std::string::npos);
  EXPECT_NE(spec_error_of("", {"train.lrate=1"}).find("did you mean 'train.lr'"), std::string::npos);
  EXPECT_NE(spec_error_of("", {"epochs"}).find("expected KEY=VALUE"), std::string::npos);
  EXPECT_NE(spec_error_of("", {"sweep.run.workers=[1,2]"}).find("cannot be swept"), std::string::npos);
}

TEST(SpecLoader, SweepIsTheCartesianProductInOrder) {
  const LoadedSpec spec = parse_spec_text(
      "sweep:\n  labels.window_weeks: [4, 8, 12]\n  train.lr: [0.001, 0.0003]\n", "s.yaml",
      {"sweep.train.lr=[0.01]"});
  const std::vector<SpecValues> points = expand_sweep_points(spec);
  ASSERT_EQ(points.size(), 3u);  // the override replaced the lr axis
  EXPECT_DOUBLE_EQ(std::get<double>(points[0].at("labels.window_weeks")), 4);
  EXPECT_DOUBLE_EQ(std::get<double>(points[2].at("labels.window_weeks")), 12);
  EXPECT_DOUBLE_EQ(std::get<double>(points[1].at("train.lr")), 0.01);
  const LoadedSpec two = parse_spec_text("sweep:\n  labels.window_weeks: [4, 8]\n  train.lr: [1, 2, 3]\n", "s.yaml");
  const std::vector<SpecValues> six = expand_sweep_points(two);
  ASSERT_EQ(six.size(), 6u);
  EXPECT_DOUBLE_EQ(std::get<double>(six[1].at("train.lr")), 2);
  EXPECT_DOUBLE_EQ(std::get<double>(six[3].at("labels.window_weeks")), 8);
}

// Hostile input (issue 9): a sweep is the product of its axes, so a few
// lines (here 5 axes of 8 values: 32,768 points) could ask for any number of
// points. More than kMaxSweepPoints is refused, naming the axes.
TEST(SpecLoader, SweepOfMoreThanTheLimitOfPointsIsRefused) {
  const std::string axes =
      "sweep:\n"
      "  train.lr: [1, 2, 3, 4, 5, 6, 7, 8]\n"
      "  train.epochs: [1, 2, 3, 4, 5, 6, 7, 8]\n"
      "  train.batch_size: [1, 2, 3, 4, 5, 6, 7, 8]\n"
      "  labels.window_weeks: [1, 2, 3, 4, 5, 6, 7, 8]\n";
  EXPECT_EQ(spec_error_of(axes), "");  // 4,096 points
  const std::string message = spec_error_of(axes + "  seed: [1, 2, 3, 4, 5, 6, 7, 8]\n");
  EXPECT_NE(message.find("s.yaml: the sweep train.lr (8) x train.epochs (8) x"), std::string::npos) << message;
  EXPECT_NE(message.find("more than " + std::to_string(kMaxSweepPoints) + " points"), std::string::npos)
      << message;
  const std::string overridden = spec_error_of(axes, {"sweep.seed=[1, 2, 3]"});  // through an override too
  EXPECT_NE(overridden.find("more than"), std::string::npos) << overridden;
}

TEST(SpecLoader, CrossKeyRules) {
  EXPECT_THROW(make_spec(parse_spec_text("", "s.yaml").values, "s.yaml"), ConfigError);
  const LoadedSpec both = parse_spec_text("profile:\n  path: x\n  synth:\n    preset: tiny\n", "s.yaml");
  EXPECT_THROW(make_spec(both.values, "s.yaml"), ConfigError);
  // The built-in MobileNetV2 under the EfficientNet-B0 backbone: refused by
  // `popsweep spec` too, naming both keys.
  const LoadedSpec mismatch = parse_spec_text(
      "profile:\n  synth:\n    preset: tiny\nfeatures:\n  backbone: efficientnet_b0\n  weights: builtin:mobilenet_v2\n",
      "s.yaml");
  try {
    make_spec(mismatch.values, "s.yaml");
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("features.weights"), std::string::npos) << message;
    EXPECT_NE(message.find("features.backbone"), std::string::npos) << message;
  }
}

TEST(SpecLoader, SplitProtocolDefaultsToPostAndTimeNeedsTrailingLabels) {
  const std::string profile = "profile:\n  synth:\n    preset: tiny\n";
  const Spec by_default = make_spec(parse_spec_text(profile, "s.yaml").values, "s.yaml");
  EXPECT_EQ(by_default.train.split, "post");
  EXPECT_FALSE(by_default.train.time_gap_weeks.has_value());
  EXPECT_DOUBLE_EQ(resolved_time_gap_weeks(by_default), 8.0) << "auto is the label window";
  // time with the default centred labels: refused, saying why and what to set.
  try {
    make_spec(parse_spec_text(profile + "train:\n  split: time\n", "s.yaml").values, "s.yaml");
    FAIL() << "train.split time with labels.mode centered must be refused";
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("s.yaml"), std::string::npos) << message;
    EXPECT_NE(message.find("labels.mode: trailing"), std::string::npos) << message;
    EXPECT_NE(message.find("future"), std::string::npos) << message;
  }
  const Spec forward = make_spec(
      parse_spec_text(profile + "labels:\n  mode: trailing\n  window_weeks: 6\ntrain:\n  split: time\n", "s.yaml")
          .values,
      "s.yaml");
  EXPECT_DOUBLE_EQ(resolved_time_gap_weeks(forward), 6.0);
  const LoadedSpec gap = parse_spec_text(profile + "labels:\n  mode: trailing\n", "s.yaml",
                                         {"train.split=time", "train.time_gap_weeks=2"});
  EXPECT_DOUBLE_EQ(resolved_time_gap_weeks(make_spec(gap.values, "s.yaml")), 2.0);
  EXPECT_TRUE(gap.explicit_keys.count("train.split"));
  EXPECT_FALSE(gap.explicit_keys.count("train.folds"));
  EXPECT_NE(spec_error_of(profile + "train:\n  split: random\n").find("train.split"), std::string::npos);
  // A sweep over protocols is one more axis.
  const LoadedSpec swept = parse_spec_text(profile + "sweep:\n  train.split: [media, post]\n", "s.yaml");
  EXPECT_EQ(expand_sweep_points(swept).size(), 2u);
  EXPECT_TRUE(swept.explicit_keys.count("train.split"));
}

TEST(SpecLoader, ThePaperSpecUsesThePapersProtocol) {
  const std::string path = std::string(POPSWEEP_SOURCE_DIR) + "/experiments/paper.yaml";
  EXPECT_EQ(make_spec(load_spec_file(path).values, path).train.split, "media");
}

TEST(SpecLoader, ShippedSpecsLoad) {
  for (const char* name : {"quick.yaml", "paper.yaml", "window-study.yaml"}) {
    const std::string path = std::string(POPSWEEP_SOURCE_DIR) + "/experiments/" + name;
    const LoadedSpec spec = load_spec_file(path);
    EXPECT_NO_THROW(make_spec(spec.values, path)) << name;
  }
}

TEST(SpecSchema, DocumentationListsEveryKey) {
  const std::string doc = read_text_file(std::string(POPSWEEP_SOURCE_DIR) + "/docs/SPEC.md");
  EXPECT_NE(doc.find(spec_schema_markdown()), std::string::npos)
      << "docs/SPEC.md is out of date: regenerate its table with `popsweep spec --markdown`";
}

}  // namespace
}  // namespace popsweep::orchestrator
