#!/usr/bin/env bash
# The container image, end to end (slow: minutes; ctest -L image after
# configuring with -DPOPSWEEP_SLOW_TESTS=ON, as root, with network access to
# the Debian mirror apt uses):
#   - scripts/build-image builds it from this build's binary; its size is
#     printed;
#   - the docker-archive (the file Apptainer reads) unpacks into an image
#     whose entry point is popsweep and which holds no compiler and no -dev
#     headers;
#   - its root filesystem, mounted read-only and run as a non-root user in a
#     user namespace (bwrap, as an unprivileged Apptainer does), runs
#     `popsweep demo` (the built-in MobileNetV2 inside the binary) and a
#     3-rank mpirun sweep of the same spec with the image's Open MPI;
#   - both results.csv are byte for byte the host build's.
# POPSWEEP_IMAGE_TAR=FILE tests an image built before instead of building one.
set -euo pipefail
source "$(dirname "$0")/../support/skip_or_fail.sh"
bin=${POPSWEEP_BIN:?POPSWEEP_BIN must name the popsweep binary}
src=${POPSWEEP_SOURCE_DIR:?POPSWEEP_SOURCE_DIR must name the source folder}
[[ $(id -u) -eq 0 ]] || skip_or_fail "scripts/build-image and unpacking the image run as root"
for tool in debootstrap umoci skopeo bwrap setpriv; do
  command -v "$tool" >/dev/null || skip_or_fail "$tool not installed (scripts/setup installs it)"
done
work=$(mktemp -d)
trap 'rm -rf --one-file-system "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

image=${POPSWEEP_IMAGE_TAR:-}
if [[ -z $image ]]; then
  started=$SECONDS
  "$src/scripts/build-image" --binary "$bin" --out "$work/image" | tee "$work/build.log" ||
    fail "scripts/build-image failed"
  echo "image built in $((SECONDS - started)) s"
  image=$work/image/popsweep.tar
fi

# What a user's `apptainer build` reads: the docker-archive.
skopeo --insecure-policy copy --quiet "docker-archive:$image" "oci:$work/oci:popsweep"
skopeo inspect --config "oci:$work/oci:popsweep" > "$work/config.json"
/usr/bin/python3 - "$work/config.json" <<'EOF' || fail "the image's entry point is not popsweep"
import json, sys
config = json.load(open(sys.argv[1]))["config"]
assert config["Entrypoint"] == ["/usr/bin/popsweep"], config
EOF
umoci unpack --image "$work/oci:popsweep" "$work/bundle" > /dev/null
rootfs=$work/bundle/rootfs
chmod a+rx "$work" "$work/bundle"  # mktemp's and umoci's folders are closed to nobody
echo "unpacked root filesystem: $(du -sh --apparent-size "$rootfs" | cut -f1)"
for path in usr/bin/gcc usr/bin/g++ usr/bin/cc usr/bin/c++ usr/bin/cmake usr/include/torch usr/include/opencv4; do
  [[ ! -e $rootfs/$path ]] || fail "the image holds build-only /$path"
done
[[ -x $rootfs/usr/bin/mpirun ]] || fail "the image has no mpirun"

# The image's root filesystem read-only, as nobody in a user namespace; only
# /mnt (the results) and /tmp are writable.
mkdir -p "$work/results"
chown nobody:nogroup "$work/results"
in_image() {
  setpriv --reuid=nobody --regid=nogroup --clear-groups \
    bwrap --unshare-user --unshare-pid --unshare-ipc --die-with-parent \
          --ro-bind "$rootfs" / --proc /proc --dev /dev --tmpfs /tmp --tmpfs /dev/shm \
          --bind "$work/results" /mnt --chdir /mnt --clearenv \
          --setenv PATH /usr/bin:/bin --setenv HOME /tmp \
          --setenv OMPI_MCA_rmaps_base_oversubscribe 1 \
          -- "$@"
}
if in_image touch /usr/bin/written 2> "$work/touch.log"; then fail "the image's root filesystem is writable"; fi
grep -q "Read-only file system" "$work/touch.log" || { cat "$work/touch.log"; fail "writing into the image failed, but not as read-only"; }
[[ $(in_image id -u) == "$(id -u nobody)" ]] || fail "not running as nobody in the image"
echo "in the image: $(in_image sh -c 'id; echo Debian $(cat /etc/debian_version)' | paste -sd' ')"

overrides=(train.epochs=3 "train.classes=[2]" train.folds=2 run.workers=2 run.threads_per_worker=1)
started=$SECONDS
in_image popsweep demo --out /mnt/demo "${overrides[@]}" > "$work/demo.log" 2>&1 ||
  { cat "$work/demo.log"; fail "popsweep demo failed in the image"; }
echo "demo in the image: $((SECONDS - started)) s"
started=$SECONDS
mkdir -p "$work/results/mpi" && chown nobody:nogroup "$work/results/mpi"
in_image mpirun -np 3 popsweep run /mnt/demo/quick.yaml "${overrides[@]}" --db /mnt/mpi/popsweep.db \
  > "$work/mpi.log" 2>&1 || { cat "$work/mpi.log"; fail "the 3-rank mpirun sweep failed in the image"; }
grep -q "2 worker(s)" "$work/mpi.log" || { cat "$work/mpi.log"; fail "expected 2 MPI worker ranks"; }
in_image popsweep report --db /mnt/mpi/popsweep.db --out /mnt/mpi/report > "$work/mpi-report.log" 2>&1 ||
  { cat "$work/mpi-report.log"; fail "popsweep report failed in the image"; }
echo "3-rank mpirun sweep in the image: $((SECONDS - started)) s"

# The host build, same spec and seed.
(cd "$work" && "$bin" demo --out "$work/host" "${overrides[@]}" > "$work/host.log" 2>&1) ||
  { cat "$work/host.log"; fail "popsweep demo failed on the host"; }
rows=$(($(wc -l < "$work/host/report/results.csv") - 1))
((rows > 0)) || fail "the host's results.csv has no rows"
cmp "$work/host/report/results.csv" "$work/results/demo/report/results.csv" ||
  { diff "$work/host/report/results.csv" "$work/results/demo/report/results.csv" | head; fail "demo in the image differs from the host"; }
cmp "$work/host/report/results.csv" "$work/results/mpi/report/results.csv" ||
  { diff "$work/host/report/results.csv" "$work/results/mpi/report/results.csv" | head; fail "the MPI sweep in the image differs from the host"; }
echo "results.csv ($rows rows): host demo = image demo = image 3-rank mpirun sweep, byte for byte"
echo "PASS"
