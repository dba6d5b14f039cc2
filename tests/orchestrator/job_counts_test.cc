#include "orchestrator/job_counts.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace popsweep::orchestrator {
namespace {

using storage::JobStatus;
using Statuses = std::map<std::int64_t, JobStatus>;
using Dependencies = std::map<std::int64_t, std::vector<std::int64_t>>;

// The definition the scheduler used before the counts were kept: a full walk,
// recursing through each job's dependencies (remembering answers, so the
// random graphs below cannot make it exponential).
bool blocked_by_walk(std::int64_t id, const Statuses& statuses, const Dependencies& dependencies,
                     std::map<std::int64_t, bool>& known) {
  if (const auto found = known.find(id); found != known.end()) return found->second;
  bool blocked = false;
  const JobStatus status = statuses.at(id);
  const auto needs = dependencies.find(id);
  if (status != JobStatus::Done && status != JobStatus::Failed && needs != dependencies.end()) {
    for (const std::int64_t need : needs->second) {
      if (!statuses.count(need)) continue;
      if (statuses.at(need) == JobStatus::Failed || blocked_by_walk(need, statuses, dependencies, known)) {
        blocked = true;
        break;
      }
    }
  }
  return known[id] = blocked;
}

void expect_counts_match_walk(const JobCounts& counts, const Statuses& statuses,
                              const Dependencies& dependencies, const std::string& when) {
  std::map<JobStatus, int> by_status;
  int blocked = 0;
  std::map<std::int64_t, bool> known;
  for (const auto& [id, status] : statuses) {
    ++by_status[status];
    blocked += blocked_by_walk(id, statuses, dependencies, known);
  }
  EXPECT_EQ(counts.total(), static_cast<int>(statuses.size())) << when;
  for (const JobStatus status :
       {JobStatus::Pending, JobStatus::Running, JobStatus::Done, JobStatus::Failed, JobStatus::Interrupted}) {
    EXPECT_EQ(counts.count(status), by_status[status]) << when << ", status " << storage::to_string(status);
  }
  EXPECT_EQ(counts.blocked(), blocked) << when;
}

TEST(JobCounts, ChainBlockedByAFailureAndFreedByARetry) {
  // ingest(1) <- label(2) <- extract(3) <- train(4), train(5); 6 stands alone.
  Statuses statuses{{1, JobStatus::Done},    {2, JobStatus::Pending}, {3, JobStatus::Pending},
                    {4, JobStatus::Pending}, {5, JobStatus::Pending}, {6, JobStatus::Pending}};
  const Dependencies dependencies{{2, {1}}, {3, {2}}, {4, {3}}, {5, {3, 1}}};
  JobCounts counts(statuses, dependencies);
  EXPECT_EQ(counts.blocked(), 0);
  EXPECT_EQ(counts.count(JobStatus::Done), 1);
  EXPECT_EQ(counts.count(JobStatus::Pending), 5);

  counts.set_status(2, JobStatus::Failed);  // 3, 4 and 5 now wait on it
  EXPECT_EQ(counts.blocked(), 3);
  EXPECT_EQ(counts.count(JobStatus::Failed), 1);

  counts.set_status(4, JobStatus::Failed);  // failed is not blocked
  EXPECT_EQ(counts.blocked(), 2);

  counts.set_status(2, JobStatus::Pending);  // `run --retry-failed`: 3 and 5 are free again
  EXPECT_EQ(counts.blocked(), 0);
  counts.set_status(2, JobStatus::Done);
  counts.set_status(3, JobStatus::Running);
  EXPECT_EQ(counts.count(JobStatus::Running), 1);
  EXPECT_EQ(counts.blocked(), 0);
  EXPECT_EQ(counts.count(JobStatus::Pending), 2);  // 5 and 6

  counts.set_status(7, JobStatus::Running);  // not listed at the start
  EXPECT_EQ(counts.total(), 7);
  EXPECT_EQ(counts.count(JobStatus::Running), 2);
}

TEST(JobCounts, StartsFromTheStatusesLoaded) {
  // A rerun: 1 failed in the earlier run, so 2 and 3 start blocked; 4 is done
  // although its dependency failed (it ran before), and is not blocked.
  const Statuses statuses{
      {1, JobStatus::Failed}, {2, JobStatus::Interrupted}, {3, JobStatus::Pending}, {4, JobStatus::Done}};
  const Dependencies dependencies{{2, {1}}, {3, {2, 99}}, {4, {1}}};  // 99: a job outside the sweep
  const JobCounts counts(statuses, dependencies);
  EXPECT_EQ(counts.blocked(), 2);
  EXPECT_EQ(counts.count(JobStatus::Interrupted), 1);
  expect_counts_match_walk(counts, statuses, dependencies, "after loading");
}

// A planted graph shaped like a sweep's (a chain of shared stages, then many
// jobs with a few dependencies each, some outside the sweep), taken through
// a random sequence of status changes; after every change the kept counts
// must equal a full recount.
TEST(JobCounts, EqualAFullRecountOverRandomStatusChanges) {
  for (const unsigned seed : {1u, 2u, 3u, 4u, 5u}) {
    std::mt19937 random(seed);
    const int jobs = 300;
    Statuses statuses;
    Dependencies dependencies;
    const std::vector<JobStatus> all{JobStatus::Pending, JobStatus::Running, JobStatus::Done,
                                     JobStatus::Failed, JobStatus::Interrupted};
    for (int id = 1; id <= jobs; ++id) {
      statuses[id] = all[random() % all.size()];
      if (id > 1 && id <= 5) dependencies[id].push_back(id - 1);  // the shared chain
      if (id > 5) {
        const int needs = static_cast<int>(random() % 4);
        for (int n = 0; n < needs; ++n) dependencies[id].push_back(1 + static_cast<int>(random() % (id - 1)));
        if (random() % 10 == 0) dependencies[id].push_back(jobs + 1 + id);  // outside the sweep
      }
    }
    for (auto& [id, needs] : dependencies) {  // the table's primary key keeps each pair once
      std::sort(needs.begin(), needs.end());
      needs.erase(std::unique(needs.begin(), needs.end()), needs.end());
    }
    JobCounts counts(statuses, dependencies);
    expect_counts_match_walk(counts, statuses, dependencies, "seed " + std::to_string(seed) + ", loaded");
    for (int change = 0; change < 2000; ++change) {
      const std::int64_t id = 1 + static_cast<int>(random() % jobs);
      const JobStatus status = all[random() % all.size()];
      statuses[id] = status;
      counts.set_status(id, status);
      if (change % 10 == 0 || change > 1990) {
        expect_counts_match_walk(counts, statuses, dependencies,
                                 "seed " + std::to_string(seed) + ", change " + std::to_string(change));
      }
      if (HasFailure()) return;
    }
  }
}

}  // namespace
}  // namespace popsweep::orchestrator
