// A small RFC 4180 CSV reader and writer. The reader keeps the line number of
// every record so that an error can point at the exact line of the user's
// file; the writer quotes only when a field needs it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace popsweep {

struct CsvRecord {
  long line = 0;  // 1-based line where the record starts
  std::vector<std::string> fields;
};

class CsvTable {
 public:
  // Reads a whole file. Throws InputError naming the file and line on an
  // unterminated quote, a record with the wrong number of fields, or a
  // missing required column. Blank lines are skipped; a UTF-8 BOM is ignored.
  static CsvTable read_file(const std::string& path, const std::vector<std::string>& required_columns);
  static CsvTable parse(const std::string& text, const std::string& source_name,
                        const std::vector<std::string>& required_columns);

  const std::string& source() const { return source_; }
  const std::vector<CsvRecord>& records() const { return records_; }
  bool has_column(const std::string& name) const { return columns_.count(name) != 0; }

  // The named field of a record (trimmed of surrounding blanks).
  std::string field(const CsvRecord& record, const std::string& column) const;

  // Typed access; each throws InputError(file, line, column, ...) on bad text.
  std::int64_t integer(const CsvRecord& record, const std::string& column) const;
  std::optional<std::int64_t> optional_integer(const CsvRecord& record, const std::string& column) const;
  std::int64_t timestamp(const CsvRecord& record, const std::string& column) const;

 private:
  std::string source_;
  std::map<std::string, size_t> columns_;
  std::vector<CsvRecord> records_;
};

// Writes one CSV row, quoting fields that contain a separator, quote or newline.
void write_csv_row(std::ostream& out, const std::vector<std::string>& fields);

}  // namespace popsweep
