// Errors that carry their context. Every error popsweep reports names what it
// was reading (file, line, field) or doing (job, stage), so a user can act on
// a single line of output. Errors are thrown deep and caught once, at the
// command-line boundary or by the scheduler, which records them on the job.
#pragma once

#include <stdexcept>
#include <string>

namespace popsweep {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Bad data from outside: a file the user gave us. `line` is 1-based; 0 means
// "the file as a whole".
class InputError : public Error {
 public:
  InputError(std::string file, long line, std::string field, const std::string& message);

  const std::string& file() const { return file_; }
  long line() const { return line_; }
  const std::string& field() const { return field_; }

 private:
  std::string file_;
  long line_;
  std::string field_;
};

// A wrong setting: an option, a spec key, an impossible value.
class ConfigError : public Error {
 public:
  explicit ConfigError(const std::string& message) : Error(message) {}
};

}  // namespace popsweep
