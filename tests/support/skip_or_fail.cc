#include "tests/support/skip_or_fail.h"

#include <cstdlib>
#include <string>

namespace popsweep::testing {

bool running_in_ci() {
  const char* ci = std::getenv("CI");
  if (ci == nullptr) return false;
  const std::string value = ci;
  return !value.empty() && value != "0" && value != "false" && value != "FALSE" && value != "False";
}

}  // namespace popsweep::testing
