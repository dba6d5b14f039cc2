#include "storage/schema.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "storage/database.h"
#include "storage/migrations.h"

namespace popsweep::storage {

int latest_schema_version() { return static_cast<int>(schema_migrations().size()); }

namespace {

// Foreign keys can only be switched off outside a transaction, so a rebuild
// still to come turns them off for the whole migration (and back on after).
class ForeignKeysOffForRebuilds {
 public:
  explicit ForeignKeysOffForRebuilds(Database& db) : db_(db) {
    const std::vector<Migration>& migrations = schema_migrations();
    const auto version = static_cast<size_t>(std::max<std::int64_t>(0, db.query_int("PRAGMA user_version")));
    for (size_t i = version; i < migrations.size(); ++i) off_ = off_ || migrations[i].rebuilds_tables;
    if (off_) db_.execute("PRAGMA foreign_keys = OFF");
  }
  ~ForeignKeysOffForRebuilds() {
    if (off_) db_.execute("PRAGMA foreign_keys = ON");
  }

 private:
  Database& db_;
  bool off_ = false;
};

}  // namespace

void migrate_to_latest(Database& db) {
  const std::vector<Migration>& migrations = schema_migrations();
  const ForeignKeysOffForRebuilds foreign_keys(db);
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
    if (migrations[version].rebuilds_tables &&
        db.query_int("SELECT COUNT(*) FROM pragma_foreign_key_check") != 0) {
      throw StorageError(db.path() + ": migration '" + migrations[version].name +
                         "' left rows whose foreign keys point nowhere; the database is unchanged");
    }
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
