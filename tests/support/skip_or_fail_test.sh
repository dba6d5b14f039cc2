#!/usr/bin/env bash
# Issue 24: under CI (CI=true) a shell test whose tool is missing fails
# instead of skipping (tests/support/skip_or_fail.sh), and no test skips any
# other way: every `exit 77` in tests/**/*.sh is the helper's, every
# GTEST_SKIP in the unit tests is POPSWEEP_SKIP_OR_FAIL's (skip_or_fail.h,
# checked in CI by SkipOrFail.*).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tests=$(dirname "$here")
fail() { echo "FAIL: $*" >&2; exit 1; }

missing_tool() {  # runs a test that lacks a tool, with CI as given; prints "status: output"
  local status=0 output
  output=$(env -u CI ${1:+CI=$1} bash -c "source '$here/skip_or_fail.sh'; skip_or_fail 'no frobnicator'" 2>&1) ||
    status=$?
  echo "$status: $output"
}
[[ $(missing_tool "") == "77: SKIP: no frobnicator" ]] || fail "without CI a missing tool should skip: $(missing_tool "")"
for ci in true 1 yes; do
  result=$(missing_tool "$ci")
  [[ $result == "1: FAIL: no frobnicator"* ]] || fail "CI=$ci: a missing tool should fail: $result"
done
[[ $(missing_tool false) == "77: "* ]] || fail "CI=false is not CI: $(missing_tool false)"
part=$(env CI=true bash -c "source '$here/skip_or_fail.sh'; skip_part_or_fail 'no tmpfs'; echo went on" 2>&1) &&
  fail "CI=true: a skipped part should fail the test: $part"
part=$(env -u CI bash -c "source '$here/skip_or_fail.sh'; skip_part_or_fail 'no tmpfs'; echo went on" 2>&1)
[[ $part == *"went on" ]] || fail "without CI a skipped part should let the test go on: $part"

# Every other way to skip bypasses CI's check.
others=$(grep -rlE --include='*.sh' '^[^#]*exit 77' "$tests" | grep -v "/support/skip_or_fail" || true)
[[ -z $others ]] || fail "these tests skip without tests/support/skip_or_fail.sh: $others"
others=$(grep -rl --include='*.cc' --include='*.h' "GTEST_SKIP" "$tests" | grep -v "/support/skip_or_fail.h" || true)
[[ -z $others ]] || fail "these unit tests skip without POPSWEEP_SKIP_OR_FAIL (tests/support/skip_or_fail.h): $others"
echo "PASS"
