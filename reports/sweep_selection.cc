#include "reports/sweep_selection.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <vector>

#include "common/error.h"
#include "storage/database.h"

namespace popsweep::reports {
namespace {

bool all_digits(const std::string& text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
}

std::string describe_known_sweeps(const std::vector<storage::SweepRow>& sweeps) {
  std::string text;
  for (const storage::SweepRow& sweep : sweeps) {
    text += fmt::format("{}'{}' (id {})", text.empty() ? "" : ", ", sweep.name, sweep.id);
  }
  return text;
}

}  // namespace

storage::SweepRow select_sweep(storage::Database& db, const std::string& name_or_id) {
  const std::vector<storage::SweepRow> sweeps = storage::list_sweeps(db);
  if (sweeps.empty()) throw ConfigError("no sweeps in " + db.path() + "; run `popsweep run` first");
  if (name_or_id.empty()) {
    // Ties on the update time go to the later sweep.
    return *std::max_element(sweeps.begin(), sweeps.end(), [](const auto& a, const auto& b) {
      return std::make_pair(a.updated_at, a.id) < std::make_pair(b.updated_at, b.id);
    });
  }
  // A name wins over an id, so a sweep named "2" stays reachable.
  std::optional<storage::SweepRow> found = storage::find_sweep(db, name_or_id);
  if (!found && all_digits(name_or_id) && name_or_id.size() < 18) {
    found = storage::find_sweep(db, static_cast<std::int64_t>(std::stoll(name_or_id)));
  }
  if (!found) {
    throw ConfigError(fmt::format("--sweep: no sweep named '{}' in {}; known sweeps: {}", name_or_id,
                                  db.path(), describe_known_sweeps(sweeps)));
  }
  return *found;
}

}  // namespace popsweep::reports
