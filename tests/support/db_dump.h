// A logical dump of every table of a database, for "the database is exactly
// as it was" assertions that do not depend on SQLite's page layout.
#pragma once

#include <string>

namespace popsweep::testing {

std::string dump_database(const std::string& path);

}  // namespace popsweep::testing
