// orchestrator/sweep_identity.cc: what a rerun may change. A change to a key
// that affects results is described key by key (so the refusal shows a diff);
// a change that only adds sweep points (a value in a `sweep:` list), or
// touches only operational keys (workers, threads, batch), is no change.
#include "orchestrator/sweep_identity.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "orchestrator/spec_loader.h"

namespace popsweep::orchestrator {
namespace {

const char* kSpec = R"(name: resume
profile:
  synth:
    preset: tiny
train:
  experiments: [image]
  classes: [2]
  folds: 2
  epochs: 3
)";

nlohmann::json identity_of(const std::vector<std::string>& overrides) {
  return sweep_identity(parse_spec_text(kSpec, "resume.yaml", overrides));
}

bool mentions(const std::vector<std::string>& changes, const std::string& text) {
  for (const std::string& change : changes) {
    if (change.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(SweepIdentity, ChangedResultKeyIsListedWithBothValues) {
  const std::vector<std::string> changes =
      incompatible_changes(identity_of({}), identity_of({"train.epochs=4"}));
  ASSERT_FALSE(changes.empty());
  EXPECT_TRUE(mentions(changes, "train.epochs: 3 -> 4")) << ::testing::PrintToString(changes);
  EXPECT_EQ(changes.size(), 1u) << ::testing::PrintToString(changes);
}

// The sweep axis gains a value: the old points are all still there.
TEST(SweepIdentity, AddingAValueToASweepListIsCompatible) {
  EXPECT_TRUE(incompatible_changes(identity_of({"sweep.train.lr=[0.001]"}),
                                   identity_of({"sweep.train.lr=[0.001, 0.0005]"}))
                  .empty());
  // A new axis whose values include the old setting keeps the old point too.
  EXPECT_TRUE(incompatible_changes(identity_of({}), identity_of({"sweep.train.lr=[0.001, 0.0005]"})).empty());
}

// train.experiments and train.classes are plain lists, and repeats a count,
// but each value is its own jobs: adding one only adds jobs.
TEST(SweepIdentity, AddingAnExperimentAClassCountOrARepeatIsCompatible) {
  const nlohmann::json before = identity_of({"train.repeats=2"});
  EXPECT_TRUE(incompatible_changes(before, identity_of({"train.repeats=2", "train.classes=[2, 3]"})).empty());
  EXPECT_TRUE(
      incompatible_changes(before, identity_of({"train.repeats=2", "train.experiments=[image, cnn_rnn]"}))
          .empty());
  EXPECT_TRUE(incompatible_changes(before, identity_of({"train.repeats=3"})).empty());
}

TEST(SweepIdentity, DroppingAClassCountOrARepeatIsAChange) {
  const nlohmann::json before = identity_of({"train.classes=[2, 3]", "train.repeats=2"});
  std::vector<std::string> changes = incompatible_changes(before, identity_of({"train.repeats=2"}));
  EXPECT_TRUE(mentions(changes, "train.classes: 2 | 3 -> 2")) << ::testing::PrintToString(changes);
  changes = incompatible_changes(before, identity_of({"train.classes=[2, 3]", "train.repeats=1"}));
  EXPECT_TRUE(mentions(changes, "train.repeats: repeat 0 | repeat 1 -> repeat 0"))
      << ::testing::PrintToString(changes);
}

TEST(SweepIdentity, RemovingAValueIsAChange) {
  const std::vector<std::string> changes = incompatible_changes(
      identity_of({"sweep.train.lr=[0.001, 0.0005]"}), identity_of({"sweep.train.lr=[0.001]"}));
  EXPECT_TRUE(mentions(changes, "train.lr")) << ::testing::PrintToString(changes);
}

TEST(SweepIdentity, OperationalKeysDoNotCount) {
  const nlohmann::json before = identity_of({});
  const nlohmann::json after = identity_of({"run.workers=3", "run.threads_per_worker=2", "features.batch=8"});
  EXPECT_EQ(sweep_identity_hash(before), sweep_identity_hash(after));
  EXPECT_TRUE(incompatible_changes(before, after).empty());
}


// A key added after sweeps were recorded (features.jpeg_dct_scaling) is left
// out of the identity at the value that reproduces the old behaviour, so a
// sweep recorded before it existed is not refused at that value; its other
// value, today's default, is a change (a rerun of such a sweep keeps the old
// value: tests/orchestrator/legacy_database_test.sh).
TEST(SweepIdentity, AKeyAddedLaterCountsOnlyAwayFromItsOldBehaviour) {
  nlohmann::json recorded_before_the_key = identity_of({});
  for (nlohmann::json& point : recorded_before_the_key.at("points")) point.erase("features.jpeg_dct_scaling");
  EXPECT_TRUE(incompatible_changes(recorded_before_the_key, identity_of({"features.jpeg_dct_scaling=false"})).empty());
  EXPECT_EQ(sweep_identity_hash(recorded_before_the_key),
            sweep_identity_hash(identity_of({"features.jpeg_dct_scaling=false"})));
  const std::vector<std::string> changes = incompatible_changes(recorded_before_the_key, identity_of({}));
  EXPECT_TRUE(mentions(changes, "features.jpeg_dct_scaling: (new key) -> true")) << ::testing::PrintToString(changes);
}
}  // namespace
}  // namespace popsweep::orchestrator
