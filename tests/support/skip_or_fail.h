// The C++ side of tests/support/skip_or_fail.sh: a unit test that needs a
// tool popsweep does not provide (python3-torch for a reference) skips where
// it is missing, but fails under CI (the CI variable set and not "false" or
// "0"), where scripts/setup installs it and a skip would hide a broken setup.
#pragma once

#include <gtest/gtest.h>

namespace popsweep::testing {

bool running_in_ci();

}  // namespace popsweep::testing

// In a test body or SetUp (a function returning void): skips, or fails
// under CI, saying `why`.
#define POPSWEEP_SKIP_OR_FAIL(why)                                                                 \
  do {                                                                                             \
    if (::popsweep::testing::running_in_ci())                                                      \
      FAIL() << (why) << " (CI is set: in CI nothing may be skipped; scripts/setup installs it)"; \
    GTEST_SKIP() << (why);                                                                         \
  } while (false)
