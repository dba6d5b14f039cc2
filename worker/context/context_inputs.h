// Reads what the context features need from a database that `popsweep
// ingest` filled, and writes the context vectors as CSV (`popsweep context`).
#pragma once

#include <ostream>
#include <vector>

#include "worker/context/context_features.h"

namespace popsweep::storage {
class Database;
}

namespace popsweep::context {

struct ContextInputs {
  std::vector<ContextPost> posts;
  std::vector<ContextFollowerSample> followers;
};

ContextInputs load_context_inputs(storage::Database& db);

// Columns post_id, media_index, media_type, then one per feature; a missing
// value is an empty field. Numbers are written with 17 significant digits.
void write_context_csv(std::ostream& out, const std::vector<ContextRow>& rows);

}  // namespace popsweep::context
