#include "common/csv.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "common/error.h"
#include "common/file_util.h"
#include "common/time_format.h"

namespace popsweep {
namespace {

std::string trim(const std::string& text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const size_t last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

bool is_blank(const std::vector<std::string>& fields) {
  return fields.size() == 1 && trim(fields[0]).empty();
}

// Splits text into records, honouring quoted fields that span lines.
std::vector<CsvRecord> split_records(const std::string& text, const std::string& source) {
  std::vector<CsvRecord> records;
  size_t pos = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
  long line = 1;
  while (pos < text.size()) {
    CsvRecord record;
    record.line = line;
    std::string field;
    bool in_quotes = false;
    bool ended = false;
    while (pos < text.size() && !ended) {
      const char c = text[pos++];
      if (in_quotes) {
        if (c == '"') {
          if (pos < text.size() && text[pos] == '"') {
            field += '"';
            ++pos;
          } else {
            in_quotes = false;
          }
        } else {
          if (c == '\n') ++line;
          field += c;
        }
      } else if (c == '"') {
        in_quotes = true;
      } else if (c == ',') {
        record.fields.push_back(std::move(field));
        field.clear();
      } else if (c == '\n') {
        ++line;
        ended = true;
      } else if (c != '\r') {
        field += c;
      }
    }
    if (in_quotes) throw InputError(source, record.line, "", "unterminated quoted field");
    record.fields.push_back(std::move(field));
    if (!is_blank(record.fields)) records.push_back(std::move(record));
  }
  return records;
}

}  // namespace

CsvTable CsvTable::read_file(const std::string& path, const std::vector<std::string>& required_columns) {
  return parse(read_text_file(path), path, required_columns);
}

CsvTable CsvTable::parse(const std::string& text, const std::string& source_name,
                         const std::vector<std::string>& required_columns) {
  CsvTable table;
  table.source_ = source_name;
  std::vector<CsvRecord> records = split_records(text, source_name);
  if (records.empty()) throw InputError(source_name, 0, "", "the file is empty (no header line)");
  const CsvRecord& header = records.front();
  for (size_t i = 0; i < header.fields.size(); ++i) {
    const std::string name = trim(header.fields[i]);
    if (table.columns_.count(name)) {
      throw InputError(source_name, header.line, name, "column appears twice in the header");
    }
    table.columns_[name] = i;
  }
  for (const std::string& column : required_columns) {
    if (!table.columns_.count(column)) {
      throw InputError(source_name, header.line, column, "required column is missing from the header");
    }
  }
  for (size_t i = 1; i < records.size(); ++i) {
    if (records[i].fields.size() != header.fields.size()) {
      throw InputError(source_name, records[i].line, "",
                       "expected " + std::to_string(header.fields.size()) + " fields, found " +
                           std::to_string(records[i].fields.size()));
    }
    table.records_.push_back(std::move(records[i]));
  }
  return table;
}

std::string CsvTable::field(const CsvRecord& record, const std::string& column) const {
  const auto it = columns_.find(column);
  if (it == columns_.end()) throw InputError(source_, record.line, column, "no such column");
  return trim(record.fields[it->second]);
}

std::int64_t CsvTable::integer(const CsvRecord& record, const std::string& column) const {
  const std::optional<std::int64_t> value = optional_integer(record, column);
  if (!value) throw InputError(source_, record.line, column, "a value is required");
  return *value;
}

std::optional<std::int64_t> CsvTable::optional_integer(const CsvRecord& record,
                                                        const std::string& column) const {
  const std::string text = field(record, column);
  if (text.empty()) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (errno != 0 || end == text.c_str() || *end != '\0') {
    throw InputError(source_, record.line, column, "'" + text + "' is not a whole number");
  }
  if (value < 0) throw InputError(source_, record.line, column, "'" + text + "' is negative");
  return value;
}

std::int64_t CsvTable::timestamp(const CsvRecord& record, const std::string& column) const {
  const std::string text = field(record, column);
  std::string why;
  const std::optional<UnixSeconds> value = parse_iso8601(text, &why);
  if (!value) throw InputError(source_, record.line, column, why);
  return *value;
}

void write_csv_row(std::ostream& out, const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out << ',';
    const std::string& field = fields[i];
    if (field.find_first_of(",\"\n\r") == std::string::npos) {
      out << field;
      continue;
    }
    out << '"';
    for (const char c : field) {
      if (c == '"') out << '"';
      out << c;
    }
    out << '"';
  }
  out << '\n';
}

}  // namespace popsweep
