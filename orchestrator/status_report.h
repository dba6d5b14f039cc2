// `popsweep status`: what a sweep has done, is doing and has left, read from
// the database (safely while the sweep runs: readers never block the
// coordinator in WAL mode).
#pragma once

#include <string>

namespace popsweep::storage {
class Database;
}

namespace popsweep::orchestrator {

// Every sweep when `sweep` is empty; otherwise the sweep with that name or id.
std::string describe_status(storage::Database& db, const std::string& sweep);

// Which coordinator holds the database's lease (host, pid, start) and how
// old its heartbeat is, as seen by watching it for up to one heartbeat
// interval; or "none". Reads only: a reader never takes the lease.
std::string describe_coordinator(storage::Database& db);

}  // namespace popsweep::orchestrator
