// The ordered list of schema migrations. Append only: a migration that has
// shipped is never edited, since databases in the field already ran it.
#pragma once

#include <string>
#include <vector>

namespace popsweep::storage {

struct Migration {
  const char* name;
  std::string sql;
  // A table rebuild (SQLite's 12 steps: create, copy, drop, rename): run with
  // foreign keys off, since dropping a parent table with them on would
  // cascade into its children; checked with foreign_key_check before commit.
  bool rebuilds_tables = false;
};

const std::vector<Migration>& schema_migrations();

}  // namespace popsweep::storage
