#include "storage/database.h"

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <utility>

#include "storage/filesystem_check.h"
#include "storage/schema.h"

namespace popsweep::storage {
namespace {

// Long enough that a reader never sees "database is locked" while the
// coordinator commits a result, short enough that a real deadlock surfaces.
constexpr int kBusyTimeoutMilliseconds = 60000;

// SQLITE_FULL: say so plainly, name the file, and say what to do; the failed
// transaction is rolled back, so everything committed before is still there.
StorageError disk_full_error(sqlite3* db, int code) {
  const char* file = sqlite3_db_filename(db, "main");
  return StorageError(std::string("the disk is full: cannot write the database ") +
                          (file && *file ? file : "(in memory)") + " (SQLite: " + sqlite3_errmsg(db) +
                          "); what was committed before is kept: free space or move the database to a "
                          "larger disk, then run the same command again",
                      code);
}

}  // namespace

bool is_disk_full(const std::exception& error) {
  const auto* storage = dynamic_cast<const StorageError*>(&error);
  return storage && (storage->code() & 0xff) == SQLITE_FULL;
}

// ---------------------------------------------------------------- Statement

Statement::Statement(sqlite3* db, const std::string& sql) : db_(db), sql_(sql) {
  const int code = sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &statement_, nullptr);
  if (code != SQLITE_OK) {
    throw StorageError(std::string("SQL error: ") + sqlite3_errmsg(db) + " in: " + sql, code);
  }
}

Statement::~Statement() {
  if (statement_) sqlite3_finalize(statement_);
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), statement_(std::exchange(other.statement_, nullptr)), sql_(std::move(other.sql_)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    if (statement_) sqlite3_finalize(statement_);
    db_ = other.db_;
    statement_ = std::exchange(other.statement_, nullptr);
    sql_ = std::move(other.sql_);
  }
  return *this;
}

void Statement::check(int code, const char* what) const {
  if (code != SQLITE_OK) {
    throw StorageError(std::string(what) + " failed: " + sqlite3_errmsg(db_) + " in: " + sql_, code);
  }
}

Statement& Statement::bind(int index, std::int64_t value) {
  check(sqlite3_bind_int64(statement_, index, value), "bind");
  return *this;
}

Statement& Statement::bind(int index, double value) {
  check(sqlite3_bind_double(statement_, index, value), "bind");
  return *this;
}

Statement& Statement::bind(int index, const std::string& value) {
  check(sqlite3_bind_text(statement_, index, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT),
        "bind");
  return *this;
}

Statement& Statement::bind(int index, std::nullptr_t) {
  check(sqlite3_bind_null(statement_, index), "bind");
  return *this;
}

Statement& Statement::bind_blob(int index, const void* data, size_t size) {
  check(sqlite3_bind_blob64(statement_, index, data, size, SQLITE_TRANSIENT), "bind");
  return *this;
}

bool Statement::step() {
  const int code = sqlite3_step(statement_);
  if (code == SQLITE_ROW) return true;
  if (code == SQLITE_DONE) return false;
  if ((code & 0xff) == SQLITE_FULL) {
    const StorageError full = disk_full_error(db_, code);
    sqlite3_reset(statement_);
    throw full;
  }
  const std::string message = sqlite3_errmsg(db_);
  sqlite3_reset(statement_);
  throw StorageError("SQL step failed: " + message + " in: " + sql_, code);
}

void Statement::run() {
  while (step()) {
  }
  reset();
}

void Statement::reset() {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

int Statement::column_count() const { return sqlite3_column_count(statement_); }

bool Statement::column_is_null(int column) const {
  return sqlite3_column_type(statement_, column) == SQLITE_NULL;
}

std::int64_t Statement::column_int(int column) const { return sqlite3_column_int64(statement_, column); }

double Statement::column_double(int column) const { return sqlite3_column_double(statement_, column); }

std::string Statement::column_text(int column) const {
  const auto* text = sqlite3_column_text(statement_, column);
  if (!text) return {};
  return std::string(reinterpret_cast<const char*>(text), sqlite3_column_bytes(statement_, column));
}

std::vector<std::uint8_t> Statement::column_blob(int column) const {
  const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(statement_, column));
  const int size = sqlite3_column_bytes(statement_, column);
  return data ? std::vector<std::uint8_t>(data, data + size) : std::vector<std::uint8_t>{};
}

std::optional<std::int64_t> Statement::column_optional_int(int column) const {
  if (column_is_null(column)) return std::nullopt;
  return column_int(column);
}

// ----------------------------------------------------------------- Database

Database::Database(sqlite3* db, std::string path, Access access)
    : db_(db), path_(std::move(path)), access_(access) {}

Database Database::open(const std::string& path, Access access) {
  sqlite3* handle = nullptr;
  const int flags = access == Access::ReadOnly ? SQLITE_OPEN_READONLY
                                               : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
  const int code = sqlite3_open_v2(path.c_str(), &handle, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  if (code != SQLITE_OK) {
    const std::string message = handle ? sqlite3_errmsg(handle) : sqlite3_errstr(code);
    sqlite3_close_v2(handle);
    throw StorageError("cannot open database " + path + ": " + message, code);
  }
  Database db(handle, path, access);
  sqlite3_extended_result_codes(handle, 1);
  sqlite3_busy_timeout(handle, kBusyTimeoutMilliseconds);
  db.execute("PRAGMA foreign_keys = ON");
  if (access == Access::ReadWrite) {
    if (const std::optional<std::string> network = network_filesystem_of(path)) {
      // WAL needs shared memory that network file systems cannot share.
      spdlog::warn("{} is on a {} file system: using SQLite's rollback journal instead of WAL. This is safe "
                   "with popsweep's single writer, but readers (status, report) may wait while it writes; "
                   "node-local disk is faster and safer (docs/RELIABILITY.md)",
                   path, *network);
      db.execute("PRAGMA journal_mode = DELETE");
      db.execute("PRAGMA synchronous = FULL");
      migrate_to_latest(db);
      return db;
    }
    db.execute("PRAGMA journal_mode = WAL");
    // NORMAL is durable across process crashes in WAL mode; only a power cut
    // can lose the last commits, never corrupt the file.
    db.execute("PRAGMA synchronous = NORMAL");
    migrate_to_latest(db);
  } else {
    check_schema_readable(db);
  }
  return db;
}

Database Database::open_in_memory() {
  sqlite3* handle = nullptr;
  if (sqlite3_open(":memory:", &handle) != SQLITE_OK) {
    sqlite3_close(handle);
    throw StorageError("cannot open an in-memory database");
  }
  Database db(handle, ":memory:", Access::ReadWrite);
  db.execute("PRAGMA foreign_keys = ON");
  migrate_to_latest(db);
  return db;
}

Database::~Database() { close(); }

Database::Database(Database&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), path_(std::move(other.path_)), access_(other.access_) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    close();
    db_ = std::exchange(other.db_, nullptr);
    path_ = std::move(other.path_);
    access_ = other.access_;
  }
  return *this;
}

void Database::close() noexcept {
  if (db_) {
    sqlite3_close_v2(db_);
    db_ = nullptr;
  }
}

void Database::execute(const std::string& sql) {
  char* message = nullptr;
  const int code = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  if (code != SQLITE_OK) {
    const std::string text = message ? message : sqlite3_errstr(code);
    sqlite3_free(message);
    if ((code & 0xff) == SQLITE_FULL) throw disk_full_error(db_, code);
    throw StorageError("SQL error in " + path_ + ": " + text, code);
  }
}

Statement Database::prepare(const std::string& sql) { return Statement(db_, sql); }

std::int64_t Database::query_int(const std::string& sql) {
  Statement statement = prepare(sql);
  if (!statement.step()) throw StorageError("query returned no row: " + sql);
  return statement.column_int(0);
}

std::int64_t Database::last_insert_id() const { return sqlite3_last_insert_rowid(db_); }

int Database::changes() const { return sqlite3_changes(db_); }

// -------------------------------------------------------------- Transaction

Transaction::Transaction(Database& db) : db_(db) {
  if (sqlite3_get_autocommit(db_.handle())) {
    db_.execute("BEGIN IMMEDIATE");
  } else {
    static thread_local int depth = 0;
    savepoint_ = "nested_" + std::to_string(++depth);
    db_.execute("SAVEPOINT " + savepoint_);
  }
}

Transaction::~Transaction() {
  if (!done_) {
    try {
      if (savepoint_.empty()) {
        db_.execute("ROLLBACK");
      } else {
        db_.execute("ROLLBACK TO " + savepoint_);
        db_.execute("RELEASE " + savepoint_);
      }
    } catch (...) {
      // The connection is already in error; SQLite rolled back on its own.
    }
  }
}

void Transaction::commit() {
  db_.execute(savepoint_.empty() ? std::string("COMMIT") : "RELEASE " + savepoint_);
  done_ = true;
}

}  // namespace popsweep::storage
