#include "tests/support/db_dump.h"

#include <vector>

#include "storage/database.h"

namespace popsweep::testing {

std::string dump_database(const std::string& path) {
  storage::Database db = storage::Database::open(path, storage::Database::Access::ReadOnly);
  std::vector<std::string> tables;
  storage::Statement list = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  while (list.step()) tables.push_back(list.column_text(0));
  std::string dump;
  for (const std::string& table : tables) {
    dump += "## " + table + "\n";
    storage::Statement rows = db.prepare("SELECT * FROM \"" + table + "\" ORDER BY 1, 2");
    while (rows.step()) {
      for (int c = 0; c < rows.column_count(); ++c) dump += rows.column_text(c) + "|";
      dump += "\n";
    }
  }
  return dump;
}

}  // namespace popsweep::testing
