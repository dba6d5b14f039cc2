// The message a spec (and its KEY=VALUE overrides) is refused with, or ""
// when it parses: for tests of the spec loader's errors.
#pragma once

#include <string>
#include <vector>

#include "common/error.h"
#include "orchestrator/spec_loader.h"

namespace popsweep::test_support {

inline std::string spec_error_of(const std::string& yaml, const std::vector<std::string>& overrides = {}) {
  try {
    orchestrator::parse_spec_text(yaml, "s.yaml", overrides);
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "";
}

}  // namespace popsweep::test_support
