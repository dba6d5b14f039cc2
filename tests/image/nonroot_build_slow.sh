#!/usr/bin/env bash
# The whole build without root (slow: minutes; ctest -L slow after
# configuring with -DPOPSWEEP_SLOW_TESTS=ON): as nobody, on a copy of the
# sources, `scripts/setup --no-install` with the tests and benchmarks off (what
# a cluster user runs) builds popsweep against the installed packages without
# calling apt-get, apt or dpkg, and the binary it makes plans the quick spec.
# Run as root, the build shares root's ccache read-only (bind-mounted in a
# private mount namespace, since /root is closed to nobody), so only what the
# cache lacks is compiled; POPSWEEP_NONROOT_CCACHE=0 builds from scratch.
set -euo pipefail
source "$(dirname "$0")/../support/skip_or_fail.sh"
source "$(dirname "$0")/nonroot_support.sh"
: "${POPSWEEP_SOURCE_DIR:?POPSWEEP_SOURCE_DIR must name the source folder}"
[[ $(id -u) -eq 0 ]] || skip_or_fail "needs root to start the build as nobody"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir "$work/home" "$work/ccache" "$work/ccache-tmp"
copy_sources "$work/src"
package_manager_standins "$work/bin" "$work/package-manager-calls"
chown -R nobody:nogroup "$work"

cache=""
if [[ ${POPSWEEP_NONROOT_CCACHE:-1} != 0 ]] && command -v ccache >/dev/null; then
  cache=$(ccache -k cache_dir)
  [[ -d $cache ]] || cache=""
fi
started=$SECONDS
unshare --mount --propagation private bash -c '
  work=$1 cache=$2
  ccache_env=(CCACHE_DISABLE=1)
  if [[ -n $cache ]]; then
    mount --bind -o ro "$cache" "$work/ccache"
    ccache_env=(CCACHE_DIR="$work/ccache" CCACHE_READONLY=1 CCACHE_TEMPDIR="$work/ccache-tmp" CCACHE_BASEDIR="$work/src")
  fi
  exec setpriv --reuid=nobody --regid=nogroup --clear-groups \
    env HOME="$work/home" PATH="$work/bin:$PATH" "${ccache_env[@]}" BUILD_DIR="$work/src/build" \
        CMAKE_ARGS="-DPOPSWEEP_BUILD_TESTS=OFF -DPOPSWEEP_BUILD_BENCH=OFF" \
        "$work/src/scripts/setup" --no-install' _ "$work" "$cache" > "$work/build.log" 2>&1 ||
  { tail -n 40 "$work/build.log"; fail "the build as nobody failed"; }
echo "built as nobody in $((SECONDS - started)) s (ccache: ${cache:-off}$([[ -n $cache ]] && echo ', read-only'))"
[[ ! -s $work/package-manager-calls ]] || fail "scripts/setup --no-install called: $(cat "$work/package-manager-calls")"
binary=$work/src/build/popsweep
[[ $(stat -c %U "$binary") == nobody ]] || fail "the binary was not built by nobody"
(cd "$work" && setpriv --reuid=nobody --regid=nogroup --clear-groups "$binary" run "$work/src/experiments/quick.yaml" \
   --dry-run --db "$work/plan.db" > "$work/plan.log" 2>&1) || { cat "$work/plan.log"; fail "the binary built as nobody fails"; }
grep -q '"backbone":"mobilenet_v2"' "$work/plan.log" || { cat "$work/plan.log"; fail "the quick spec was not planned"; }
echo "PASS"
