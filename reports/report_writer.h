// `popsweep report`: one sweep's results written to a folder as report.md,
// report.html (self-contained), results.csv, results.json and charts/*.svg.
// Reads the database only, so it is safe while the sweep still runs; the
// report then shows the jobs still pending among its problems.
#pragma once

#include <string>
#include <vector>

namespace popsweep::storage {
class Database;
}

namespace popsweep::reports {

struct WrittenReport {
  std::vector<std::string> files;        // report.md, report.html, results.csv, results.json
  std::vector<std::string> chart_files;  // charts/*.svg
  std::string summary;                   // the results tables as plain text, for the terminal
};

// `sweep`: name or id; empty for the most recently updated sweep. Creates
// `out_dir` when needed. Throws ConfigError for an unknown sweep.
// `draws`: bootstrap resamples and permutations per group (-1: chosen by the
// sweep's size, see uncertainty_draws; 0: no intervals or p-values).
WrittenReport write_report(storage::Database& db, const std::string& sweep, const std::string& out_dir,
                           int draws = -1);
// Several databases of one study pooled as one (pooled_results.h): the same
// sweep name (or each one's latest sweep) in each. The Data section's figures
// come from the first database only.
WrittenReport write_report(const std::vector<storage::Database*>& databases, const std::string& sweep,
                           const std::string& out_dir, int draws = -1);

}  // namespace popsweep::reports
