#include "storage/lease_tables.h"

#include "storage/database.h"

namespace popsweep::storage {

std::optional<LeaseRow> read_lease(Database& db) {
  Statement q = db.prepare(
      "SELECT holder, host, boot_id, pid, process_start, started_at, heartbeat, renewed_at, heartbeat_ms, "
      "lifetime_ms FROM coordinator_lease WHERE id = 1");
  if (!q.step()) return std::nullopt;
  LeaseRow row;
  row.holder = q.column_text(0);
  row.host = q.column_text(1);
  row.boot_id = q.column_text(2);
  row.pid = q.column_int(3);
  row.process_start = q.column_int(4);
  row.started_at = q.column_int(5);
  row.heartbeat = q.column_int(6);
  row.renewed_at = q.column_int(7);
  row.heartbeat_ms = q.column_int(8);
  row.lifetime_ms = q.column_int(9);
  return row;
}

void write_lease(Database& db, const LeaseRow& row) {
  db.prepare(
        "INSERT OR REPLACE INTO coordinator_lease (id, holder, host, boot_id, pid, process_start, "
        "started_at, "
        "heartbeat, renewed_at, heartbeat_ms, lifetime_ms) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind_all(row.holder, row.host, row.boot_id, row.pid, row.process_start, row.started_at, row.heartbeat,
                row.renewed_at, row.heartbeat_ms, row.lifetime_ms)
      .run();
}

bool renew_lease(Database& db, const std::string& holder, std::int64_t now) {
  db.prepare(
        "UPDATE coordinator_lease SET heartbeat = heartbeat + 1, renewed_at = ? WHERE id = 1 AND holder = ?")
      .bind_all(now, holder)
      .run();
  return db.changes() == 1;
}

bool release_lease(Database& db, const std::string& holder) {
  db.prepare("DELETE FROM coordinator_lease WHERE id = 1 AND holder = ?").bind(1, holder).run();
  return db.changes() == 1;
}

}  // namespace popsweep::storage
