// `popsweep doctor`: SQLite's own integrity check plus popsweep's rules
// (every done job has its results, every result its job, every feature blob
// the size its feature set says, ...), each finding with how to repair it.
// With `repair`, the fixable findings are fixed in one transaction: broken
// results are dropped and their jobs set back to pending, so the next
// `popsweep run` recomputes exactly what was lost.
#pragma once

#include <string>
#include <vector>

namespace popsweep::storage {

class Database;

struct Finding {
  std::string severity;  // error, warning, note
  std::string what;
  std::string repair;    // what --repair does, or what the user should do
  bool repaired = false;
};

std::vector<Finding> check_database(Database& db, bool repair);
std::string describe(const std::vector<Finding>& findings);

}  // namespace popsweep::storage
