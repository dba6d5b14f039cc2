// `popsweep report --db a.db --db b.db`: a study split over several databases
// (one per profile, or one per Slurm job) read as if it were one. Each
// database's sweep is loaded on its own (its job and media ids mean nothing
// in the others); then its groups, comparisons, leakage rows and problems
// are put together in the order one database would give them. A database of
// a plain single-profile sweep names its groups' profile after the profile it
// holds, so such databases pool into a study too.
#pragma once

#include <string>
#include <vector>

#include "reports/leakage_audit.h"
#include "reports/sweep_results.h"

namespace popsweep::reports {

struct ResultsPart {
  SweepResults results;
  LeakageAudit audit;        // in the order of results.groups
  std::string profile_name;  // the database's first profile, for points that name none
};

// One part is returned as it is. Several: points without a profile get the
// part's; groups are ordered by point, experiment (paper order), classes.
// Throws ConfigError when two parts hold the same group (the same profile and
// point in two databases: pooled, it would count twice).
std::pair<SweepResults, LeakageAudit> pool_results(std::vector<ResultsPart> parts);

// A database of several profiles (a study) split into one part per profile
// (by the `profile` of each point; groups naming none form a part of their
// own), so that each profile is audited on its own, like the databases of a
// split study: duplicates never cross profiles. The unfinished jobs and media
// problems go with the first part. The audits are left to the caller.
std::vector<ResultsPart> split_by_profile(SweepResults results);

}  // namespace popsweep::reports
