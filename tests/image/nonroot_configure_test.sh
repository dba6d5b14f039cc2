#!/usr/bin/env bash
# A build without root, as a cluster user does it: as a non-root user
# (nobody, when this runs as root) on a copy of the sources,
#   - scripts/setup --no-install never calls apt-get, apt or dpkg (stand-ins
#     on PATH record any call), and a dependency it cannot find (yaml-cpp,
#     hidden with CMAKE_DISABLE_FIND_PACKAGE) is named with its Debian package
#     and the CMAKE_PREFIX_PATH it looked in, alone: the others are found;
#   - with every system prefix left out, each missing dependency is named in
#     one message (not just the first), starting with Torch;
#   - a plain CMake configure against the installed packages succeeds.
# The full non-root build (minutes) is tests/image/nonroot_build_slow.sh.
set -euo pipefail
source "$(dirname "$0")/../support/skip_or_fail.sh"
source "$(dirname "$0")/nonroot_support.sh"
: "${POPSWEEP_SOURCE_DIR:?POPSWEEP_SOURCE_DIR must name the source folder}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir "$work/home"
copy_sources "$work/src"
package_manager_standins "$work/bin" "$work/package-manager-calls"
chmod -R a+rwX "$work"
as_user() {
  if [[ $(id -u) -eq 0 ]]; then
    command -v setpriv >/dev/null || skip_or_fail "setpriv (util-linux) not installed"
    setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME="$work/home" "$@"
  else
    env HOME="$work/home" "$@"
  fi
}
as_user id -u | grep -qv '^0$' || fail "not running as a non-root user"

if as_user env PATH="$work/bin:$PATH" CMAKE_PREFIX_PATH=/opt/cluster/modules/popsweep-deps BUILD_DIR="$work/b1" \
     CMAKE_ARGS=-DCMAKE_DISABLE_FIND_PACKAGE_yaml-cpp=ON "$work/src/scripts/setup" --no-install > "$work/b1.log" 2>&1; then
  fail "scripts/setup --no-install built without yaml-cpp"
fi
[[ ! -s $work/package-manager-calls ]] || fail "scripts/setup --no-install called: $(cat "$work/package-manager-calls")"
grep -q "missing dependencies" "$work/b1.log" && grep -q "yaml-cpp (Debian package libyaml-cpp-dev)" "$work/b1.log" &&
  grep -q "CMAKE_PREFIX_PATH=/opt/cluster/modules/popsweep-deps (environment)" "$work/b1.log" ||
  { cat "$work/b1.log"; fail "the message does not name yaml-cpp, its package and the CMAKE_PREFIX_PATH searched"; }
grep -E "Torch \(|OpenCV \(|SQLite3 \(" "$work/b1.log" && fail "dependencies that are installed were reported missing"
sed -n '/missing dependencies/,/debug-find-pkg/p' "$work/b1.log"

if as_user env CMAKE_PREFIX_PATH=/bogus/prefix cmake -S "$work/src" -B "$work/b2" "-DCMAKE_IGNORE_PREFIX_PATH=/usr;/" \
     > "$work/b2.log" 2>&1; then
  fail "configured with every system prefix left out"
fi
for name in Torch OpenCV SQLite3 LibLZMA; do
  grep -q "$name (Debian package" "$work/b2.log" || { cat "$work/b2.log"; fail "$name is not named as missing"; }
done
grep -q "CMAKE_IGNORE_PREFIX_PATH=/usr;/" "$work/b2.log" || { cat "$work/b2.log"; fail "the left-out prefixes are not named"; }
echo "with every system prefix left out: $(grep -c '(Debian package' "$work/b2.log") dependencies named missing"

as_user cmake -S "$work/src" -B "$work/b3" -DCMAKE_BUILD_TYPE=Release > "$work/b3.log" 2>&1 ||
  { cat "$work/b3.log"; fail "configuring as a non-root user failed"; }
[[ $(stat -c %u "$work/b3/CMakeCache.txt") != 0 ]] || fail "the build folder belongs to root"
echo "configured as user $(as_user id -un) against the installed packages"
echo "PASS"
