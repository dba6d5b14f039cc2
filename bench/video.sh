#!/usr/bin/env bash
# Video decoding for M12's 15 frames: popsweep's seek-based sampling against
# decoding every frame (build/bench/popsweep_bench_video, bench/video_decoding.cc),
# on H.264 test videos made once with ffmpeg's testsrc (640x640, 30 fps,
# libx264 defaults, so a keyframe every 250 frames, plus one 60 s video with
# a keyframe every second). Frames/s and videos/s, median of $BENCH_RUNS runs.
#
#   bench/video.sh
source "$(dirname "$0")/common.sh"
BENCH_VIDEO=${BENCH_VIDEO:-$BENCH_ROOT/build/bench/popsweep_bench_video}

videos=$BENCH_WORK/videos
mkdir -p "$videos"
# make_video NAME SECONDS [extra x264 options]: encoded once, kept between runs.
make_video() {
  local out=$videos/$1.mp4
  [[ -s $out ]] && { echo "$out"; return; }
  ffmpeg -hide_banner -loglevel error -y -f lavfi -i "testsrc=size=640x640:rate=30:duration=$2" \
    -c:v libx264 -preset veryfast -pix_fmt yuv420p "${@:3}" "$out.tmp.mp4"
  mv "$out.tmp.mp4" "$out"
  echo "$out"
}
files=(
  "$(make_video short-5s 5)"
  "$(make_video long-60s 60)"
  "$(make_video long-60s-gop30 60 -g 30)"
  "$(make_video long-300s 300)"
)

load_note before
"$BENCH_VIDEO" "$BENCH_RUNS" "${files[@]}"
load_note after
echo
echo "Both sides decode single-threaded and convert the 15 sampled frames to RGB with"
echo "popsweep's converter; 'frames' is what decoding every frame decoded. x264 defaults:"
echo "a keyframe every 250 frames (8.3 s) unless the name says gop30 (1 s)."
