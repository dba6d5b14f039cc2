// `popsweep export`: one sweep's numbers as tidy CSV files that pandas, R or
// a tracking tool read without knowing popsweep's tables (docs/SCHEMA.md):
//   jobs.csv         one row per job; every job parameter its own column
//                    (`param.<key>`), and the training summary of train jobs
//   epochs.csv       one row per training job and epoch
//   predictions.csv  one row per training job and validated media item: its
//                    post, the post's time, fold, true class and each class's
//                    probability at the best and at the last epoch
//   groups.csv       the report's cells (results.csv of `popsweep report`)
//   temperatures.csv the temperature stored with each group's kept models
// Probabilities are stored as float32; they are written as the exact double
// of that float, so numbers recomputed from the export equal the report's.
#pragma once

#include <string>
#include <vector>

namespace popsweep::storage {
class Database;
}

namespace popsweep::reports {

// The version of the export's layout, written to every export (schema.txt)
// and named in docs/SCHEMA.md; raised whenever a column changes meaning or
// goes away, or a file is added (adding a column does not raise it).
// Version 2 added temperatures.csv.
constexpr int kExportSchemaVersion = 2;

struct ExportOptions {
  std::string sweep;  // name or id; empty for the most recently updated sweep
  std::string out_dir;
  bool force = false;  // write into a folder that already holds files
};

struct WrittenExport {
  std::string sweep_name;
  std::vector<std::string> files;
  std::size_t jobs = 0;
  std::size_t predictions = 0;
};

// Refuses (ConfigError) an `out_dir` that exists and is not empty unless
// `force`, before reading anything; with `force` the export's files are
// replaced and other files in the folder are left alone. An unknown sweep is
// a ConfigError that lists the sweeps.
WrittenExport export_sweep(storage::Database& db, const ExportOptions& options);

}  // namespace popsweep::reports
