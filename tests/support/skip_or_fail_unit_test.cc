// The C++ side of skip_or_fail.sh (issue 24): what counts as CI.
#include "tests/support/skip_or_fail.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>

namespace popsweep::testing {
namespace {

// Sets CI for one check and puts back what was there.
class ScopedCi {
 public:
  explicit ScopedCi(const char* value) {
    if (const char* old = std::getenv("CI")) old_ = old;
    value ? setenv("CI", value, 1) : unsetenv("CI");
  }
  ~ScopedCi() { old_ ? setenv("CI", old_->c_str(), 1) : unsetenv("CI"); }

 private:
  std::optional<std::string> old_;
};

TEST(SkipOrFail, CiIsTheVariableSetToAnythingButFalse) {
  for (const char* value : {"true", "1", "yes", "github-actions"}) {
    ScopedCi ci(value);
    EXPECT_TRUE(running_in_ci()) << value;
  }
  for (const char* value : {static_cast<const char*>(nullptr), "", "0", "false", "FALSE"}) {
    ScopedCi ci(value);
    EXPECT_FALSE(running_in_ci()) << (value ? value : "(unset)");
  }
}

}  // namespace
}  // namespace popsweep::testing
