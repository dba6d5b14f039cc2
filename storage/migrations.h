// The ordered list of schema migrations. Append only: a migration that has
// shipped is never edited, since databases in the field already ran it.
#pragma once

#include <string>
#include <vector>

namespace popsweep::storage {

struct Migration {
  const char* name;
  std::string sql;
};

const std::vector<Migration>& schema_migrations();

}  // namespace popsweep::storage
