// Video decoding for M12's 15 frames: popsweep's seek-based sampling
// (worker/media/video_frame_sampler.h: seek to the keyframe before each
// sample time, decode forward to it) against the straightforward way,
// decoding every frame of the file in order and converting to RGB the ones
// that answer the 15 sample times. Both decode single-threaded and convert
// with popsweep's RgbFrameConverter, so the difference is the decoding work.
//
//   build/bench/popsweep_bench_video RUNS VIDEO...
//   build/bench/popsweep_bench_video --sampling-only RUNS VIDEO...
//
// Prints one Markdown row per video: medians of RUNS runs (after one warm-up
// run that also brings the file into the page cache). bench/video.sh makes
// the videos with ffmpeg and runs it. --sampling-only times the seek-based
// sampling alone and prints "VIDEO SECONDS" lines, for bench/long_video.sh to
// set beside the Python baselines.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/median_timer.h"
#include "common/large_buffer_heap.h"
#include "worker/media/libav_handles.h"
#include "worker/media/rgb_frame_converter.h"
#include "worker/media/video_frame_sampler.h"

namespace {

using namespace popsweep::media;
using popsweep::bench::median_seconds;

// Decodes every frame of `path`'s first video track; returns the number of
// frames decoded and fills `sampled` with the frames for `times` (the first
// frame at or after each time, the last frame when the video ends first).
long decode_every_frame(const std::string& path, const std::vector<double>& times, std::vector<RgbImage>& sampled) {
  AVFormatContext* raw_format = nullptr;
  if (avformat_open_input(&raw_format, path.c_str(), nullptr, nullptr) < 0) throw std::runtime_error(path + ": cannot open");
  FormatContextHandle format(raw_format);
  if (avformat_find_stream_info(format.get(), nullptr) < 0) throw std::runtime_error(path + ": no stream info");
  const int stream_index = av_find_best_stream(format.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (stream_index < 0) throw std::runtime_error(path + ": no video track");
  const AVStream* stream = format->streams[stream_index];
  const AVCodec* codec = avcodec_find_decoder(stream->codecpar->codec_id);
  if (codec == nullptr) throw std::runtime_error(path + ": no decoder");
  CodecContextHandle context(avcodec_alloc_context3(codec));
  avcodec_parameters_to_context(context.get(), stream->codecpar);
  context->thread_count = 1;
  if (avcodec_open2(context.get(), codec, nullptr) < 0) throw std::runtime_error(path + ": cannot open decoder");

  RgbFrameConverter converter(0);
  PacketHandle packet(av_packet_alloc());
  FrameHandle frame(av_frame_alloc());
  const std::int64_t start = stream->start_time == AV_NOPTS_VALUE ? 0 : stream->start_time;
  const double time_base = av_q2d(stream->time_base);
  std::size_t next = 0;
  long decoded = 0;
  const auto drain = [&] {
    while (avcodec_receive_frame(context.get(), frame.get()) == 0) {
      ++decoded;
      const double seconds = static_cast<double>(frame->best_effort_timestamp - start) * time_base;
      while (next < times.size() && seconds >= times[next] - 1e-9) {
        sampled.push_back(converter.convert(*frame, path));
        ++next;
      }
    }
  };
  while (av_read_frame(format.get(), packet.get()) >= 0) {
    if (packet->stream_index == stream_index) avcodec_send_packet(context.get(), packet.get());
    av_packet_unref(packet.get());
    drain();
  }
  avcodec_send_packet(context.get(), nullptr);
  drain();
  return decoded;
}

}  // namespace

int sampling_only(int runs, int argc, char** argv) {
  for (int i = 0; i < argc; ++i) {
    const std::string path = argv[i];
    const std::size_t expected = frame_sample_times(probe_video(path).duration_seconds).size();
    const double seconds = median_seconds(runs, [&] {
      if (sample_video_frames(path).size() != expected) throw std::runtime_error(path + ": frames missing");
    });
    std::printf("%s %.4f\n", path.c_str(), seconds);
    std::fflush(stdout);
  }
  return 0;
}

int main(int argc, char** argv) {
  popsweep::keep_large_buffers_on_the_heap();  // as popsweep's main: time what it runs
  if (argc >= 4 && std::string(argv[1]) == "--sampling-only")
    return sampling_only(std::max(1, std::atoi(argv[2])), argc - 3, argv + 3);
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s [--sampling-only] RUNS VIDEO...\n", argv[0]);
    return 2;
  }
  const int runs = std::max(1, std::atoi(argv[1]));
  std::printf("| video | duration s | frames | seek-based 15 frames: s/video | videos/s | sampled frames/s "
              "| decode every frame: s/video | videos/s | decoded frames/s | speed-up (videos/s) |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|\n");
  for (int i = 2; i < argc; ++i) {
    const std::string path = argv[i];
    const VideoInfo info = probe_video(path);
    const std::vector<double> times = frame_sample_times(info.duration_seconds);
    long frames = 0;
    const double seek = median_seconds(runs, [&] {
      if (sample_video_frames(path).size() != times.size()) throw std::runtime_error(path + ": frames missing");
    });
    const double every = median_seconds(runs, [&] {
      std::vector<RgbImage> sampled;
      frames = decode_every_frame(path, times, sampled);
      if (sampled.size() != times.size()) throw std::runtime_error(path + ": decode-all lost sample frames");
    });
    const auto slash = path.find_last_of('/');
    std::printf("| %s (%dx%d) | %.1f | %ld | %.3f | %.2f | %.1f | %.3f | %.2f | %.1f | %.1fx |\n",
                path.substr(slash == std::string::npos ? 0 : slash + 1).c_str(), info.width, info.height,
                info.duration_seconds, frames, seek, 1 / seek, static_cast<double>(times.size()) / seek, every,
                1 / every, static_cast<double>(frames) / every, every / seek);
    std::fflush(stdout);
  }
  return 0;
}
