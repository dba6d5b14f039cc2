// Decodes a file's video track and finds the frame for a time by seeking to
// the keyframe before it and decoding forward, rather than decoding the
// whole file. Internal to worker/media: the public face is VideoFrameSampler.
#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include "worker/media/libav_handles.h"
#include "worker/media/video_container.h"

namespace popsweep::media {

class VideoStreamDecoder {
 public:
  // Throws MediaError as VideoContainer does, and when the codec has no
  // decoder. `decoder_threads` >= 1.
  VideoStreamDecoder(std::string path, int decoder_threads);

  const VideoInfo& info() const { return container_.info(); }
  const std::string& path() const { return container_.path(); }

  // The first frame whose presentation time is at or after `seconds` from the
  // start of the video track (what `ffmpeg -ss` picks); when the track ends
  // earlier, its last decodable frame. The frame stays valid until the next
  // call. Throws MediaError when no frame decodes at all.
  const AVFrame& frame_at(double seconds);

 private:
  void open_decoder(int decoder_threads);
  bool current_answers(std::int64_t target) const;
  bool should_seek_for(std::int64_t target) const;
  void seek_for(std::int64_t target);
  bool restart_at(std::int64_t seek_time);
  void decode_until(std::int64_t target);
  bool receive_next_frame();
  bool send_next_packet();
  void note_decode_error(int code);
  std::int64_t timestamp_of(const AVFrame& frame) const;
  void choose_frames_to_skip(const AVPacket& packet);

  VideoContainer container_;
  CodecContextHandle codec_;
  PacketHandle packet_;
  FrameHandle received_;
  FrameHandle current_;

  // The decoding position. `current_` (when has_current_) is the frame most
  // recently decoded, and the answer for every target in
  // [current_covers_from_, current_timestamp_], or beyond once at_end_ says
  // nothing follows it.
  bool has_current_ = false;
  std::int64_t current_timestamp_ = 0;
  std::int64_t current_covers_from_ = 0;
  // The time frame_at is decoding towards. Frames shown before it that no
  // other frame refers to are never the answer, so the decoder skips them;
  // `skipped_until_` is the latest such frame's time since the last seek, so
  // the next frame decoded answers only targets after it.
  std::int64_t decode_target_ = 0;
  std::int64_t skipped_until_ = std::numeric_limits<std::int64_t>::min();
  bool drain_sent_ = false;
  bool at_end_ = false;
  int consecutive_decode_errors_ = 0;
  std::string last_decode_error_;
};

}  // namespace popsweep::media
