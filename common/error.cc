#include "common/error.h"

namespace popsweep {
namespace {

std::string describe(const std::string& file, long line, const std::string& field,
                     const std::string& message) {
  std::string where = file;
  if (line > 0) where += ":" + std::to_string(line);
  if (!field.empty()) where += ": field '" + field + "'";
  return where + ": " + message;
}

}  // namespace

InputError::InputError(std::string file, long line, std::string field, const std::string& message)
    : Error(describe(file, line, field, message)),
      file_(std::move(file)),
      line_(line),
      field_(std::move(field)) {}

}  // namespace popsweep
