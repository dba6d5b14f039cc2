// A thin RAII layer over SQLite. One Database per connection; statements and
// transactions are scoped objects, so an exception anywhere rolls back what was
// half-written. Every connection runs in WAL mode with foreign keys on and a
// busy timeout, so readers (status, report) never block the single writer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"

struct sqlite3;
struct sqlite3_stmt;

namespace popsweep::storage {

class StorageError : public Error {
 public:
  explicit StorageError(const std::string& message, int code = 0) : Error(message), code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

// True for SQLite's "database or disk is full" (SQLITE_FULL): not a fault of
// the job being recorded, so a sweep stops instead of failing jobs.
bool is_disk_full(const std::exception& error);

class Statement {
 public:
  Statement(sqlite3* db, const std::string& sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in SQLite.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, double value);
  Statement& bind(int index, const std::string& value);
  Statement& bind(int index, const char* value) { return bind(index, std::string(value)); }
  Statement& bind(int index, std::nullptr_t);
  Statement& bind_blob(int index, const void* data, size_t size);
  template <typename T>
  Statement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind(index, nullptr);
  }
  // Binds every argument in order, starting at parameter 1.
  template <typename... Args>
  Statement& bind_all(const Args&... args) {
    int index = 0;
    (bind(++index, args), ...);
    return *this;
  }

  // Advances to the next row; false when the statement is done.
  bool step();
  // Runs a statement that returns no rows, then resets it for reuse.
  void run();
  void reset();

  int column_count() const;
  bool column_is_null(int column) const;
  std::int64_t column_int(int column) const;
  double column_double(int column) const;
  std::string column_text(int column) const;
  std::vector<std::uint8_t> column_blob(int column) const;
  std::optional<std::int64_t> column_optional_int(int column) const;

 private:
  void check(int code, const char* what) const;

  sqlite3* db_ = nullptr;
  sqlite3_stmt* statement_ = nullptr;
  std::string sql_;
};

class Database {
 public:
  enum class Access { ReadWrite, ReadOnly };

  // Opens (and for ReadWrite creates) the file and applies the schema
  // migrations. ReadOnly refuses a file that does not exist.
  static Database open(const std::string& path, Access access = Access::ReadWrite);
  // A private in-memory database, for tests.
  static Database open_in_memory();

  ~Database();
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void execute(const std::string& sql);
  Statement prepare(const std::string& sql);
  // Runs a query expected to return one integer (COUNT(*), MAX(...)).
  std::int64_t query_int(const std::string& sql);
  std::int64_t last_insert_id() const;
  int changes() const;

  const std::string& path() const { return path_; }
  bool read_only() const { return access_ == Access::ReadOnly; }
  sqlite3* handle() const { return db_; }

 private:
  Database(sqlite3* db, std::string path, Access access);
  void close() noexcept;

  sqlite3* db_ = nullptr;
  std::string path_;
  Access access_ = Access::ReadWrite;
};

// BEGIN IMMEDIATE ... COMMIT. Destroyed without commit() it rolls back, so a
// thrown error never leaves half a write behind. Inside another transaction
// it becomes a savepoint, so a function that writes atomically on its own
// (saving a batch of features) also composes into a caller's transaction
// (the job's result and its status, committed together).
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database& db_;
  bool done_ = false;
  std::string savepoint_;  // empty for an outermost transaction
};

}  // namespace popsweep::storage
