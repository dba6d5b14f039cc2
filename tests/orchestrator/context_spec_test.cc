// The spec keys of context models (issue 18): context.time_zone is checked
// against the time zone database naming the key, file, line and column;
// context.* and train.inputs leave old sweeps' identity alone at their
// defaults; context inputs with labels that rank a post against later posts
// are refused before any job runs; only context jobs carry the context
// settings, so visual jobs keep the keys (and results) they had.
#include <gtest/gtest.h>

#include "common/error.h"
#include "orchestrator/job_graph.h"
#include "orchestrator/spec.h"
#include "orchestrator/spec_loader.h"
#include "orchestrator/sweep_identity.h"
#include "tests/support/spec_error.h"

namespace popsweep::orchestrator {
namespace {

using test_support::spec_error_of;

const std::string kProfile = "profile:\n  synth:\n    preset: tiny\n";

std::string refusal_of_spec(const std::string& yaml) {
  try {
    make_spec(parse_spec_text(yaml, "s.yaml").values, "s.yaml");
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}

TEST(ContextSpec, UnknownTimeZoneNamesKeyAndLine) {
  const std::string message = spec_error_of(kProfile + "context:\n  time_zone: Mars/Olympus_Mons\n");
  EXPECT_NE(message.find("s.yaml:5:"), std::string::npos) << message;
  EXPECT_NE(message.find("context.time_zone"), std::string::npos) << message;
  EXPECT_NE(message.find("Mars/Olympus_Mons"), std::string::npos) << message;
  EXPECT_NE(spec_error_of(kProfile, {"context.time_zone=GMT+03:00"}).find("context.time_zone"),
            std::string::npos);
  EXPECT_EQ(spec_error_of(kProfile + "context:\n  time_zone: Europe/Rome\n  history_posts: 4\n"), "");
  EXPECT_NE(spec_error_of(kProfile + "context:\n  history_posts: 0\n").find("context.history_posts"),
            std::string::npos);
  EXPECT_NE(spec_error_of(kProfile + "train:\n  inputs: pixels\n").find("train.inputs"), std::string::npos);
  const Spec spec = make_spec(
      parse_spec_text(kProfile + "context:\n  time_zone: Asia/Tokyo\n  history_posts: 4\n", "s.yaml").values,
      "s.yaml");
  EXPECT_EQ(spec.context.time_zone, "Asia/Tokyo");
  EXPECT_EQ(spec.context.history_posts, 4);
  EXPECT_EQ(spec.train.inputs, "visual");
}

TEST(ContextSpec, ContextInputsNeedTrailingLabels) {
  for (const std::string mode : {"centered", "global"}) {
    const std::string message =
        refusal_of_spec(kProfile + "labels:\n  mode: " + mode + "\ntrain:\n  inputs: visual+context\n");
    EXPECT_NE(message.find("s.yaml"), std::string::npos) << message;
    EXPECT_NE(message.find("labels.mode " + mode), std::string::npos) << message;
    EXPECT_NE(message.find("future"), std::string::npos) << message;
    EXPECT_NE(message.find("labels.mode: trailing"), std::string::npos) << message;
  }
  EXPECT_EQ(refusal_of_spec(kProfile + "labels:\n  mode: trailing\ntrain:\n  inputs: context\n"), "");
  EXPECT_EQ(refusal_of_spec(kProfile + "labels:\n  mode: centered\n"), "")
      << "visual models keep centred labels";
  // A sweep over the input sets refuses its context points too.
  const LoadedSpec swept =
      parse_spec_text(kProfile + "sweep:\n  train.inputs: [visual, context]\n", "s.yaml");
  const std::vector<SpecValues> points = expand_sweep_points(swept);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_NO_THROW(make_spec(points[0], "s.yaml"));
  EXPECT_THROW(make_spec(points[1], "s.yaml"), ConfigError);
}

TEST(ContextSpec, OldSweepsKeepTheirIdentity) {
  const std::string spec = "name: old\n" + kProfile + "train:\n  experiments: [image]\n  classes: [2]\n";
  const auto identity_of = [&](const std::vector<std::string>& overrides) {
    return sweep_identity(parse_spec_text(spec, "old.yaml", overrides));
  };
  nlohmann::json recorded_before = identity_of({});
  for (nlohmann::json& point : recorded_before.at("points")) {
    point.erase("context.time_zone");
    point.erase("context.history_posts");
    point.erase("train.inputs");
  }
  EXPECT_EQ(sweep_identity_hash(recorded_before), sweep_identity_hash(identity_of({})));
  EXPECT_FALSE(
      incompatible_changes(recorded_before, identity_of({"labels.mode=trailing", "train.inputs=context"}))
          .empty());
}

TEST(ContextSpec, OnlyContextJobsCarryTheContextSettings) {
  const auto params_of = [](const std::vector<std::string>& overrides) {
    const Spec spec = make_spec(
        parse_spec_text(kProfile + "labels:\n  mode: trailing\n", "s.yaml", overrides).values, "s.yaml");
    return train_job_params(spec, nlohmann::json::object(), nlohmann::json::object(), "image", 2, 0, 0);
  };
  const nlohmann::json visual = params_of({"context.time_zone=Europe/Rome"});
  EXPECT_FALSE(visual.contains("context"));
  EXPECT_FALSE(visual.at("train").contains("inputs"));
  const nlohmann::json context = params_of({"train.inputs=visual+context", "context.time_zone=Europe/Rome"});
  EXPECT_EQ(context.at("train").at("inputs"), "visual+context");
  EXPECT_EQ(context.at("context").at("time_zone"), "Europe/Rome");
  EXPECT_EQ(context.at("context").at("history_posts"), 10);
}

}  // namespace
}  // namespace popsweep::orchestrator
