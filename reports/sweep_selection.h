// Which sweep a report is about: the one the user named (by name or numeric
// id), else the most recently updated one, so `popsweep report --db x.db`
// does the obvious thing after a single `popsweep run`.
#pragma once

#include <string>

#include "storage/job_tables.h"

namespace popsweep::storage {
class Database;
}

namespace popsweep::reports {

// `name_or_id` empty: the most recently updated sweep. Throws ConfigError when
// the database has no sweep, or none by that name or id; the message lists
// the sweeps it has, so the user can pick one.
storage::SweepRow select_sweep(storage::Database& db, const std::string& name_or_id);

}  // namespace popsweep::reports
