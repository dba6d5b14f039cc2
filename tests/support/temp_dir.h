// A scratch directory per test, removed afterwards, and small file helpers.
#pragma once

#include <string>

namespace popsweep::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  // Writes `contents` to `name` (creating parent folders); returns the path.
  std::string write(const std::string& name, const std::string& contents) const;

 private:
  std::string path_;
};

// Runs a shell command, returning its exit status and capturing stdout+stderr.
int run_command(const std::string& command, std::string* output = nullptr);

// The popsweep binary under test.
std::string popsweep_binary();

}  // namespace popsweep::testing
