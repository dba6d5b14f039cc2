# shellcheck shell=bash
# Sourced by the tests of the build without root (tests/image/nonroot_*):
# what both need to stand where a cluster user stands.

# copy_sources DEST: the sources without build folders or .git, so a
# non-root user can read them wherever the checkout lives.
copy_sources() {
  mkdir -p "$1"
  tar -C "$POPSWEEP_SOURCE_DIR" --exclude='./build*' --exclude=./.git -cf - . | tar -C "$1" -xf -
}

# package_manager_standins BIN_DIR CALL_LOG: apt-get, apt, dpkg and
# dpkg-query stand-ins in BIN_DIR that record each call in CALL_LOG and fail,
# so a test can put BIN_DIR first on PATH and check that none was called.
package_manager_standins() {
  local tool
  mkdir -p "$1"
  for tool in apt-get apt dpkg dpkg-query; do
    printf '#!/bin/sh\necho "%s $*" >> %s\nexit 1\n' "$tool" "$2" > "$1/$tool"
    chmod +x "$1/$tool"
  done
  touch "$2"
}
