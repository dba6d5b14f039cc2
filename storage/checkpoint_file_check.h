// `popsweep doctor`'s check of the checkpoint files beside the database
// (checkpoint_files.h): every file a checkpoints row names is there and
// matches its SHA-256, and every file in the folder is named by a row.
// Repairs: a row whose file is missing or corrupt is deleted (a job whose
// kept model it was is then found by check_database's "without their
// kept-weights checkpoint" rule and trained again; a lost resume state
// only means the job restarts); orphan files are removed. Without repair
// the orphans are listed.
#pragma once

#include <vector>

#include "storage/consistency_check.h"

namespace popsweep::storage {

std::vector<Finding> check_checkpoint_files(Database& db, bool repair);

}  // namespace popsweep::storage
