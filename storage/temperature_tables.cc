#include "storage/temperature_tables.h"

#include "storage/database.h"

namespace popsweep::storage {
namespace {

constexpr const char* kColumns =
    "sweep_id, point, experiment, classes, temperature, jobs, items, fitted_at FROM model_temperatures";

ModelTemperatureRow read_row(const Statement& q) {
  ModelTemperatureRow row;
  row.sweep_id = q.column_int(0);
  row.point = q.column_text(1);
  row.experiment = q.column_text(2);
  row.classes = static_cast<int>(q.column_int(3));
  row.temperature = q.column_double(4);
  row.jobs = static_cast<int>(q.column_int(5));
  row.items = static_cast<int>(q.column_int(6));
  row.fitted_at = q.column_int(7);
  return row;
}

}  // namespace

void save_model_temperature(Database& db, const ModelTemperatureRow& row) {
  db.prepare(
        "INSERT OR REPLACE INTO model_temperatures (sweep_id, point, experiment, classes, temperature, jobs, "
        "items, "
        "fitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .bind_all(row.sweep_id, row.point, row.experiment, row.classes, row.temperature, row.jobs, row.items,
                row.fitted_at)
      .run();
}

std::optional<ModelTemperatureRow> find_model_temperature(Database& db, std::int64_t sweep_id,
                                                          const std::string& point,
                                                          const std::string& experiment, int classes) {
  Statement q = db.prepare(std::string("SELECT ") + kColumns +
                           " WHERE sweep_id = ? AND point = ? AND experiment = ? AND classes = ?");
  q.bind_all(sweep_id, point, experiment, classes);
  if (!q.step()) return std::nullopt;
  return read_row(q);
}

std::vector<ModelTemperatureRow> load_model_temperatures(Database& db, std::int64_t sweep_id) {
  Statement q = db.prepare(std::string("SELECT ") + kColumns +
                           " WHERE sweep_id = ? ORDER BY point, experiment, classes");
  q.bind(1, sweep_id);
  std::vector<ModelTemperatureRow> rows;
  while (q.step()) rows.push_back(read_row(q));
  return rows;
}

}  // namespace popsweep::storage
