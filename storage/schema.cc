#include "storage/schema.h"

#include <string>
#include <vector>

#include "storage/database.h"
#include "storage/migrations.h"

namespace popsweep::storage {

int latest_schema_version() { return static_cast<int>(schema_migrations().size()); }

void migrate_to_latest(Database& db) {
  const std::vector<Migration>& migrations = schema_migrations();
  for (;;) {
    // Re-read the version inside the write lock: another process may have
    // migrated between our check and our BEGIN.
    Transaction transaction(db);
    const int version = static_cast<int>(db.query_int("PRAGMA user_version"));
    if (version > latest_schema_version()) {
      throw StorageError(db.path() + " has schema version " + std::to_string(version) +
                         ", newer than this popsweep understands (" +
                         std::to_string(latest_schema_version()) + "); upgrade popsweep");
    }
    if (version == latest_schema_version()) {
      transaction.commit();
      return;
    }
    db.execute(migrations[version].sql);
    db.execute("PRAGMA user_version = " + std::to_string(version + 1));
    transaction.commit();
  }
}

void check_schema_readable(Database& db) {
  const int version = static_cast<int>(db.query_int("PRAGMA user_version"));
  if (version == 0) throw StorageError(db.path() + " is not a popsweep database (schema version 0)");
  if (version > latest_schema_version()) {
    throw StorageError(db.path() + " was written by a newer popsweep (schema version " +
                       std::to_string(version) + ")");
  }
  if (version < latest_schema_version()) {
    throw StorageError(db.path() + " has an older schema (version " + std::to_string(version) +
                       "); open it once read-write (any popsweep command that writes) to migrate it");
  }
}

}  // namespace popsweep::storage
