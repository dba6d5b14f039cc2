#!/usr/bin/env bash
# scripts/build-image on bad input stops before it writes an image, and says
# why:
#   - without debootstrap on PATH: names debootstrap and its Debian package;
#   - with a mirror it cannot reach: names the mirror's URL and says it
#     could not be reached, within seconds (no debootstrap run);
#   - when debootstrap fails half-way (a stand-in that writes part of a root
#     filesystem, then fails): no popsweep.tar or popsweep-oci appears, the
#     previous image under those names is left as it was, and no work folder
#     is left behind.
# The real build (minutes, the network) is tests/image/container_image_slow.sh.
set -euo pipefail
source "$(dirname "$0")/../support/skip_or_fail.sh"
bin=${POPSWEEP_BIN:?POPSWEEP_BIN must name the popsweep binary}
src=${POPSWEEP_SOURCE_DIR:?POPSWEEP_SOURCE_DIR must name the source folder}
[[ $(id -u) -eq 0 ]] || skip_or_fail "scripts/build-image runs as root (debootstrap)"
for tool in umoci skopeo; do
  command -v "$tool" >/dev/null || skip_or_fail "$tool not installed (scripts/setup installs it)"
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# A PATH with everything scripts/build-image uses but debootstrap.
mkdir "$work/bin"
for tool in bash umoci skopeo chroot objdump dpkg-query; do
  ln -s "$(command -v "$tool")" "$work/bin/$tool"
done
if PATH=$work/bin "$src/scripts/build-image" --binary "$bin" --out "$work/out" > "$work/no-debootstrap.log" 2>&1; then
  fail "scripts/build-image ran without debootstrap"
fi
grep -q "debootstrap not found" "$work/no-debootstrap.log" && grep -q "Debian package debootstrap" "$work/no-debootstrap.log" ||
  { cat "$work/no-debootstrap.log"; fail "the error does not name debootstrap and its package"; }
[[ ! -e $work/out ]] || fail "an output folder was made before the check"
echo "without debootstrap: $(cat "$work/no-debootstrap.log")"

# An unreachable mirror (nothing listens on port 9 of this machine).
command -v debootstrap >/dev/null || skip_or_fail "debootstrap not installed (scripts/setup installs it)"
if POPSWEEP_IMAGE_MIRROR=http://127.0.0.1:9/debian "$src/scripts/build-image" --binary "$bin" --out "$work/out" \
     > "$work/no-mirror.log" 2>&1; then
  fail "scripts/build-image ran with an unreachable mirror"
fi
grep -q "cannot reach the Debian mirror: http://127.0.0.1:9/debian/dists/bookworm/Release" "$work/no-mirror.log" ||
  { cat "$work/no-mirror.log"; fail "the error does not name the unreachable mirror"; }
[[ ! -e $work/out ]] || fail "an output folder was made before the mirror was reached"
echo "unreachable mirror: $(cat "$work/no-mirror.log")"

# debootstrap failing half-way, from a local mirror that passes the probe.
mkdir -p "$work/mirror/dists/bookworm" "$work/out/popsweep-oci"
echo "Suite: bookworm" > "$work/mirror/dists/bookworm/Release"
echo "previous image" > "$work/out/popsweep.tar"
echo "previous layout" > "$work/out/popsweep-oci/index.json"
cat > "$work/bin/debootstrap" <<'EOF'
#!/bin/bash
# Stands in for debootstrap: writes part of a root filesystem, then fails.
target=${@: -2:1}
mkdir -p "$target/usr/bin" && echo partial > "$target/usr/bin/half"
echo "E: Couldn't download packages (stand-in failure)" >&2
exit 1
EOF
chmod +x "$work/bin/debootstrap"
if PATH=$work/bin:$PATH POPSWEEP_IMAGE_MIRROR=file://$work/mirror "$src/scripts/build-image" --binary "$bin" \
     --out "$work/out" > "$work/half.log" 2>&1; then
  fail "scripts/build-image succeeded although debootstrap failed"
fi
grep -q "debootstrap failed" "$work/half.log" && grep -q "stand-in failure" "$work/half.log" ||
  { cat "$work/half.log"; fail "the error does not say debootstrap failed, with its last lines"; }
[[ $(cat "$work/out/popsweep.tar") == "previous image" ]] || fail "the previous popsweep.tar was replaced"
[[ $(cat "$work/out/popsweep-oci/index.json") == "previous layout" ]] || fail "the previous OCI layout was replaced"
leftover=$(find "$work/out" -mindepth 1 -maxdepth 1 ! -name popsweep.tar ! -name popsweep-oci)
[[ -z $leftover ]] || fail "a half-built image was left behind: $leftover"
echo "debootstrap failing half-way: previous image kept, nothing left behind"
echo "PASS"
