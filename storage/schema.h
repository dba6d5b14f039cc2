// The database schema and its forward migrations. The schema version lives in
// SQLite's `user_version`; each migration runs in its own transaction, so a
// database is always at exactly one version. A database written by a newer
// popsweep is refused rather than misread.
#pragma once

namespace popsweep::storage {

class Database;

int latest_schema_version();
void migrate_to_latest(Database& db);
// For read-only connections: refuses a newer or unmigrated database.
void check_schema_readable(Database& db);

}  // namespace popsweep::storage
