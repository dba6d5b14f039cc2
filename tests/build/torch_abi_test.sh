#!/usr/bin/env bash
# A LibTorch built with the pre-C++11 ABI (one of the two official zips) is
# refused when CMake configures, naming the zip to take, instead of failing
# at link time with hundreds of undefined std::string symbols. The LibTorch
# here is a stand-in: a TorchConfig.cmake that states only the ABI flag, as
# the official pre-C++11 zip's does.
set -euo pipefail
src=${POPSWEEP_SOURCE_DIR:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

fake_torch() {  # fake_torch DIR ABI
  mkdir -p "$1"
  cat > "$1/TorchConfig.cmake" <<CONFIG
set(TORCH_FOUND TRUE)
set(TORCH_CXX_FLAGS "-D_GLIBCXX_USE_CXX11_ABI=$2")
set(TORCH_INCLUDE_DIRS "")
set(TORCH_LIBRARIES "")
CONFIG
}

fake_torch "$work/pre-cxx11" 0
if cmake -S "$src" -B "$work/build-old" -G Ninja -DTorch_DIR="$work/pre-cxx11" > "$work/old.log" 2>&1; then
  fail "configuring against a pre-C++11 LibTorch succeeded"
fi
# CMake wraps its messages: compare with the lines joined.
message=$(tr -s ' \n' '  ' < "$work/old.log")
grep -q "built with the pre-C++11 ABI" <<< "$message" || { cat "$work/old.log"; fail "no ABI message"; }
grep -q "cxx11-abi-shared-with-deps" <<< "$message" || fail "the message does not name the zip to take"

# The C++11 ABI passes this check (what happens after it is not this test's
# business: the stand-in has no libraries).
fake_torch "$work/cxx11" 1
cmake -S "$src" -B "$work/build-new" -G Ninja -DTorch_DIR="$work/cxx11" > "$work/new.log" 2>&1 || true
! tr -s ' \n' '  ' < "$work/new.log" | grep -q "pre-C++11 ABI" || fail "a C++11-ABI LibTorch was refused"
echo "PASS: pre-C++11 LibTorch refused at configure time, C++11 ABI accepted"
