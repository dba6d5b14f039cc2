// orchestrator/job_graph.cc and train.split: the protocol is part of a
// training job's identity, block 0 of forward chaining gets no job, and the
// paper's protocol keeps the job keys it had before the key existed.
#include "orchestrator/job_graph.h"

#include <gtest/gtest.h>

#include <set>

#include "orchestrator/spec_loader.h"

namespace popsweep::orchestrator {
namespace {

const char* kSpec = R"(name: graph
profile:
  synth:
    preset: tiny
labels:
  mode: trailing
train:
  experiments: [image]
  classes: [2]
  folds: 4
  repeats: 2
)";

std::vector<PlannedJob> training_jobs(const std::vector<std::string>& overrides) {
  const LoadedSpec loaded = parse_spec_text(kSpec, "graph.yaml", overrides);
  std::vector<PlannedJob> jobs;
  for (PlannedJob& job : plan_jobs({make_spec(loaded.values, "graph.yaml")}, {"fingerprint", "random:0"})) {
    if (job.stage == "train") jobs.push_back(std::move(job));
  }
  return jobs;
}

std::set<int> folds_of(const std::vector<PlannedJob>& jobs) {
  std::set<int> folds;
  for (const PlannedJob& job : jobs) folds.insert(job.params.at("fold").get<int>());
  return folds;
}

TEST(JobGraph, EachProtocolIsItsOwnJobsAndTimeSkipsBlockZero) {
  const std::vector<PlannedJob> media = training_jobs({"train.split=media"});
  const std::vector<PlannedJob> post = training_jobs({});
  const std::vector<PlannedJob> time = training_jobs({"train.split=time"});
  EXPECT_EQ(media.size(), 8u);
  EXPECT_EQ(post.size(), 8u);
  EXPECT_EQ(time.size(), 6u) << "4 folds x 2 repeats, less block 0 of each repeat";
  EXPECT_EQ(folds_of(time), (std::set<int>{1, 2, 3}));
  std::set<std::string> keys;
  for (const auto* jobs : {&media, &post, &time}) {
    for (const PlannedJob& job : *jobs) keys.insert(job.key());
  }
  EXPECT_EQ(keys.size(), 22u) << "no job is shared between protocols";
  EXPECT_EQ(post.front().params.at("split"), "post");
  EXPECT_DOUBLE_EQ(time.front().params.at("time_gap_weeks").get<double>(), 8.0);
  EXPECT_DOUBLE_EQ(training_jobs({"train.split=time", "train.time_gap_weeks=3"})
                       .front()
                       .params.at("time_gap_weeks")
                       .get<double>(),
                   3.0);
}

TEST(JobGraph, ThePapersProtocolKeepsTheParametersJobsHadBeforeSplitsExisted) {
  // Jobs recorded by earlier releases ran `media` and carry no "split": the
  // same key means an old database resumes without recomputing them.
  for (const PlannedJob& job : training_jobs({"train.split=media"})) {
    EXPECT_FALSE(job.params.contains("split")) << job.params.dump();
    EXPECT_FALSE(job.params.contains("time_gap_weeks")) << job.params.dump();
  }
}

}  // namespace
}  // namespace popsweep::orchestrator
