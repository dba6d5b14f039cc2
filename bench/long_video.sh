#!/usr/bin/env bash
# M12's 15 frames from long 1080p H.264 videos: popsweep's sampler
# (build/bench/popsweep_bench_video --sampling-only) beside the two Python
# ways (bench/python/video_baselines.py: PyAV seeking to each second's
# keyframe and decoding forward; one `ffmpeg -ss T -frames:v 1` per frame).
# Seconds per video, median of $BENCH_RUNS runs after a warm-up, decoders
# single-threaded on every side (VIDEO_THREADS=0 gives the Python side its
# tools' default threading instead).
#
# Videos are made once (kept in $BENCH_WORK/long-videos): 1920x1080, 30 fps,
# ffmpeg's testsrc2 with light temporal grain, libx264 -preset veryfast at
# 5 Mbit/s (High profile, B-frames, x264's default keyframe interval of 250
# frames); the 300 s video is the 60 s one looped five times (stream copy),
# the 15 s one its first 15 s.
#
#   bench/long_video.sh
source "$(dirname "$0")/common.sh"
BENCH_VIDEO=${BENCH_VIDEO:-$BENCH_ROOT/build/bench/popsweep_bench_video}
VIDEO_THREADS=${VIDEO_THREADS:-1}

videos=$BENCH_WORK/long-videos
mkdir -p "$videos"
if [[ ! -s $videos/1080p-60s.mp4 ]]; then
  ffmpeg -hide_banner -loglevel error -y -f lavfi -i "testsrc2=size=1920x1080:rate=30:duration=60" \
    -vf "noise=alls=6:allf=t" -c:v libx264 -preset veryfast -b:v 5M -maxrate 6M -bufsize 10M \
    -pix_fmt yuv420p "$videos/tmp.mp4"
  mv "$videos/tmp.mp4" "$videos/1080p-60s.mp4"
fi
if [[ ! -s $videos/1080p-300s.mp4 ]]; then
  ffmpeg -hide_banner -loglevel error -y -stream_loop 4 -i "$videos/1080p-60s.mp4" -c copy "$videos/tmp.mp4"
  mv "$videos/tmp.mp4" "$videos/1080p-300s.mp4"
fi
if [[ ! -s $videos/1080p-15s.mp4 ]]; then
  ffmpeg -hide_banner -loglevel error -y -i "$videos/1080p-60s.mp4" -t 15 -c copy "$videos/tmp.mp4"
  mv "$videos/tmp.mp4" "$videos/1080p-15s.mp4"
fi
files=("$videos/1080p-15s.mp4" "$videos/1080p-60s.mp4" "$videos/1080p-300s.mp4")

"$BENCH_PYTHON" -c 'import av' 2>/dev/null ||
  { echo "bench/long_video.sh: $BENCH_PYTHON has no PyAV; install Debian's python3-av" >&2; exit 1; }

load_note before
declare -A seconds
while read -r path value; do seconds[popsweep,$path]=$value; done \
  < <("$BENCH_VIDEO" --sampling-only "$BENCH_RUNS" "${files[@]}")
while read -r method path value; do seconds[$method,$path]=$value; done \
  < <("$BENCH_PYTHON" "$BENCH_ROOT/bench/python/video_baselines.py" "$BENCH_RUNS" "$VIDEO_THREADS" "${files[@]}")
load_note after

echo
echo "| video | popsweep s | PyAV seek+decode s | ffmpeg -ss per frame s | faster baseline / popsweep |"
echo "|---|---|---|---|---|"
for path in "${files[@]}"; do
  awk -v name="$(basename "$path")" -v p="${seconds[popsweep,$path]}" -v a="${seconds[pyav,$path]}" \
    -v f="${seconds[ffmpeg,$path]}" \
    'BEGIN { best = a < f ? a : f; printf "| %s | %.3f | %.3f | %.3f | %.2fx |\n", name, p, a, f, best / p }'
done
