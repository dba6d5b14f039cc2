// Writes BGR frames as an H.264 MP4 with libavformat/libavcodec (libx264,
// yuv420p). x264 runs on one thread so the same frames give the same bytes;
// the container carries no version strings for the same reason.
#pragma once

#include <opencv2/core.hpp>

#include <memory>
#include <string>

namespace popsweep::synth {

struct H264Settings {
  int width = 0;  // as coded; even
  int height = 0;
  int fps = 0;
  int crf = 28;  // x264 quality: lower is better and bigger
  // Clockwise rotation a player applies for display (0, 90, 180, 270),
  // stored as the stream's display matrix, as phones do for portrait video.
  int rotation_clockwise = 0;
};

// libx264 reports every stream it encodes on stderr at libav's info level,
// which is process-wide; this lowers it to errors while it lives.
class QuietLibavLog {
 public:
  QuietLibavLog();
  ~QuietLibavLog();
  QuietLibavLog(const QuietLibavLog&) = delete;
  QuietLibavLog& operator=(const QuietLibavLog&) = delete;

 private:
  int previous_level_;
};

class H264Mp4Writer {
 public:
  // Opens `path` for writing; throws Error naming the path on failure.
  H264Mp4Writer(const std::string& path, const H264Settings& settings);
  ~H264Mp4Writer();
  H264Mp4Writer(const H264Mp4Writer&) = delete;
  H264Mp4Writer& operator=(const H264Mp4Writer&) = delete;

  // A CV_8UC3 BGR frame of the coded size; frames are 1/fps apart.
  void write_frame(const cv::Mat& bgr);
  // Drains the encoder and writes the trailer; without it the file is
  // incomplete (the MP4 index is written last).
  void finish();

 private:
  struct Handles;
  void encode(bool flush);

  std::string path_;
  H264Settings settings_;
  std::unique_ptr<Handles> handles_;
  long frames_written_ = 0;
};

}  // namespace popsweep::synth
