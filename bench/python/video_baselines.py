#!/usr/bin/python3
"""The two Python ways a user would take M12's 15 frames from a long video,
timed the same way as popsweep's sampler (bench/long_video.sh runs both):

  pyav     PyAV (python3-av): for each sample time, seek to the keyframe at or
           before it and decode forward to the first frame at or after it,
           converted to RGB (what the PyAV documentation's seek example does).
  ffmpeg   one `ffmpeg -ss T -i VIDEO -frames:v 1` process per sample time,
           raw RGB on a pipe (input seeking: keyframe, then decode to T).

Sample times are M12's: one per second over the first 15 s, or spread evenly
over a shorter video. THREADS is the decoder's thread count on both sides
(1 = single-threaded, as popsweep runs one decoder per core; 0 = the tool's
default). Prints "METHOD VIDEO SECONDS" lines: the median of RUNS runs after
one warm-up run.

    video_baselines.py RUNS THREADS VIDEO...
"""
import statistics
import subprocess
import sys
import time

import av

FRAME_COUNT = 15


def sample_times(duration):
    if duration >= FRAME_COUNT:
        return [float(i) for i in range(FRAME_COUNT)]
    return [i * duration / FRAME_COUNT for i in range(FRAME_COUNT)]


def duration_of(path):
    with av.open(path) as container:
        stream = container.streams.video[0]
        return float(stream.duration * stream.time_base)


def pyav_frames(path, times, threads):
    frames = []
    with av.open(path) as container:
        stream = container.streams.video[0]
        stream.thread_count = threads
        if threads != 1:
            stream.thread_type = "AUTO"
        start = stream.start_time or 0
        for seconds in times:
            container.seek(start + int(seconds / stream.time_base), stream=stream, backward=True, any_frame=False)
            last = None
            for frame in container.decode(stream):
                last = frame
                if frame.time is not None and frame.time - float(start * stream.time_base) >= seconds - 1e-9:
                    break
            frames.append(last.to_ndarray(format="rgb24"))
    return frames


def ffmpeg_frames(path, times, threads):
    frames = []
    for seconds in times:
        command = ["ffmpeg", "-v", "error", "-threads", str(threads), "-ss", f"{seconds:.6f}", "-i", path,
                   "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"]
        frames.append(subprocess.run(command, check=True, stdout=subprocess.PIPE).stdout)
    return frames


def median_seconds(runs, work):
    work()
    seconds = []
    for _ in range(runs):
        begin = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - begin)
    return statistics.median(seconds)


def main():
    runs, threads, videos = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
    for path in videos:
        times = sample_times(duration_of(path))
        for name, method in (("pyav", pyav_frames), ("ffmpeg", ffmpeg_frames)):
            def work():
                if len(method(path, times, threads)) != len(times):
                    raise SystemExit(f"{path}: {name} lost frames")
            print(f"{name} {path} {median_seconds(runs, work):.4f}", flush=True)


if __name__ == "__main__":
    main()
