// Test inputs made at test time by Debian's Python (with python3-torch and
// python3-torchvision), so
// the readers are checked against files real torch.save and zipfile write.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "tests/support/temp_dir.h"

namespace popsweep::nets::testing {

// Runs `script` with /usr/bin/python3 inside `dir`; returns false (and the
// output in `output`) when it fails.
inline bool run_python(const popsweep::testing::TempDir& dir, const std::string& script,
                       std::string* output) {
  const std::string path = dir.write("fixture.py", script);
  return popsweep::testing::run_command("cd '" + dir.path() + "' && /usr/bin/python3 '" + path + "'",
                                        output) == 0;
}

// Looks for the package without importing it, which takes seconds.
inline bool python_has_torch() {
  return popsweep::testing::run_command(
             "/usr/bin/python3 -c 'import importlib.util, sys; "
             "sys.exit(importlib.util.find_spec(\"torchvision\") is None)' >/dev/null 2>&1") == 0;
}

}  // namespace popsweep::nets::testing
