#include "worker/media/video_stream_decoder.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "common/error.h"
#include "worker/media/media_error.h"

namespace popsweep::media {
namespace {

constexpr std::int64_t kBeforeEverything = std::numeric_limits<std::int64_t>::min();

// Without an index we cannot tell where keyframes are; a generic seek
// (binary search on timestamps) costs about as much as decoding a few seconds.
constexpr double kSeekWithoutIndexAfterSeconds = 5.0;

// A decoder that fails this often in a row, with no frame in between, is not
// going to recover; stop rather than loop over the whole file.
constexpr int kMaxConsecutiveDecodeErrors = 1000;

}  // namespace

VideoStreamDecoder::VideoStreamDecoder(std::string path, int decoder_threads)
    : container_(std::move(path)),
      packet_(av_packet_alloc()),
      received_(av_frame_alloc()),
      current_(av_frame_alloc()) {
  if (decoder_threads < 1) throw ConfigError("decoder_threads must be at least 1");
  if (!packet_ || !received_ || !current_) throw MediaError(this->path(), "out of memory");
  open_decoder(decoder_threads);
}

void VideoStreamDecoder::open_decoder(int decoder_threads) {
  const AVStream& stream = container_.stream();
  const AVCodec* codec = avcodec_find_decoder(stream.codecpar->codec_id);
  if (!codec)
    throw MediaError(path(),
                     std::string("unsupported video codec ") + avcodec_get_name(stream.codecpar->codec_id));
  codec_.reset(avcodec_alloc_context3(codec));
  if (!codec_) throw MediaError(path(), "out of memory");
  int result = avcodec_parameters_to_context(codec_.get(), stream.codecpar);
  if (result < 0) throw MediaError(path(), "bad video track parameters (" + libav_error_text(result) + ")");
  codec_->pkt_timebase = stream.time_base;
  // Callers run several decoders side by side, so the thread count is theirs to choose.
  codec_->thread_count = decoder_threads;
  codec_->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
  result = avcodec_open2(codec_.get(), codec, nullptr);
  if (result < 0) {
    throw MediaError(path(), std::string("cannot open the ") + codec->name + " decoder (" +
                                 libav_error_text(result) + ")");
  }
}

const AVFrame& VideoStreamDecoder::frame_at(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0.0)
    throw std::invalid_argument("frame_at: time must be >= 0 seconds");
  const std::int64_t target = container_.to_stream_time(seconds);
  if (current_answers(target)) return *current_;
  decode_target_ = target;
  if (should_seek_for(target)) seek_for(target);
  decode_until(target);
  return *current_;
}

bool VideoStreamDecoder::current_answers(std::int64_t target) const {
  return has_current_ && target >= current_covers_from_ && (target <= current_timestamp_ || at_end_);
}

// Decoding on from where we are beats seeking whenever the keyframe a seek
// would land on is not ahead of us (the next second of a video whose
// keyframes are ten seconds apart, say). The index may hold decode times
// (MP4), which run ahead of display times by the reorder delay; looking that
// much earlier only counts keyframes that surely show by the target.
bool VideoStreamDecoder::should_seek_for(std::int64_t target) const {
  if (at_end_) return true;
  if (has_current_ && target < current_covers_from_) return true;
  const std::int64_t position = has_current_ ? current_timestamp_ : kBeforeEverything;
  const std::int64_t surely_shown_by = target - container_.reorder_delay();
  if (const auto keyframe = container_.indexed_keyframe_before(surely_shown_by)) return *keyframe > position;
  return has_current_ &&
         container_.to_seconds(target) - container_.to_seconds(position) > kSeekWithoutIndexAfterSeconds;
}

// The demuxer picks the keyframe for the target. Should the first frame
// decoded there still come after the target (an index that is off for this
// file), we step back until it does not.
void VideoStreamDecoder::seek_for(std::int64_t target) {
  const std::int64_t start = container_.start();
  std::int64_t seek_time = target;
  std::int64_t step = std::max<std::int64_t>(container_.to_stream_time(1.0) - start, 1);
  while (true) {
    const bool from_start = seek_time <= start;
    if (restart_at(seek_time) && (from_start || current_timestamp_ <= target)) {
      current_covers_from_ = from_start ? kBeforeEverything : current_timestamp_;
      return;
    }
    if (from_start) return;  // nothing decodes at all; decode_until says so
    seek_time = seek_time - start > step ? seek_time - step : start;
    step = std::min(step, std::numeric_limits<std::int64_t>::max() / 4) * 2;
  }
}

// Seeks and decodes the first frame there; false when the seek fails or no
// frame follows it.
bool VideoStreamDecoder::restart_at(std::int64_t seek_time) {
  if (seek_time <= container_.start()) {
    container_.rewind();
  } else if (!container_.seek_to_keyframe_before(seek_time)) {
    return false;
  }
  avcodec_flush_buffers(codec_.get());
  has_current_ = false;
  skipped_until_ = kBeforeEverything;
  drain_sent_ = false;
  at_end_ = false;
  return receive_next_frame();
}

void VideoStreamDecoder::decode_until(std::int64_t target) {
  while (!has_current_ || current_timestamp_ < target) {
    if (!receive_next_frame()) break;  // the track ended: its last frame answers
  }
  if (!has_current_) {
    throw MediaError(path(),
                     "no video frame decodes" +
                         (last_decode_error_.empty() ? std::string() : " (" + last_decode_error_ + ")"));
  }
}

bool VideoStreamDecoder::receive_next_frame() {
  while (true) {
    const int result = avcodec_receive_frame(codec_.get(), received_.get());
    if (result == 0) {
      const std::int64_t timestamp = timestamp_of(*received_);
      current_covers_from_ =
          has_current_ ? std::max(current_timestamp_, skipped_until_) + 1 : kBeforeEverything;
      std::swap(current_, received_);
      current_timestamp_ = timestamp;
      has_current_ = true;
      consecutive_decode_errors_ = 0;
      return true;
    }
    if (result == AVERROR_EOF) break;
    if (result != AVERROR(EAGAIN)) {
      note_decode_error(result);
      continue;
    }
    if (!send_next_packet()) break;
  }
  at_end_ = true;
  return false;
}

// A packet the decoder rejects is skipped, as the ffmpeg command does: one
// damaged stretch should not cost the whole video. False once the decoder
// has been told the data ended.
bool VideoStreamDecoder::send_next_packet() {
  while (!drain_sent_) {
    if (!container_.read_video_packet(*packet_)) {
      drain_sent_ = true;
      const int result = avcodec_send_packet(codec_.get(), nullptr);  // flush the frames still inside
      if (result < 0 && result != AVERROR_EOF) note_decode_error(result);
      return true;
    }
    choose_frames_to_skip(*packet_);
    const int result = avcodec_send_packet(codec_.get(), packet_.get());
    av_packet_unref(packet_.get());
    if (result >= 0) return true;
    // The decoder asked for input, so it cannot also say it is full.
    if (result == AVERROR(EAGAIN))
      throw MediaError(path(), "video decoder neither takes input nor gives frames");
    note_decode_error(result);
  }
  return false;
}

// A long keyframe interval means decoding seconds of frames to reach one;
// in H.264 and HEVC about half of them are B-frames nothing refers to
// (x264's default mini-GOP: two of every four frames). Skipping those whose
// time is before the target saves their decoding and cannot change any
// frame we keep: the answer is the first frame at or after the target, and
// the frames skipped are neither that one nor references of later ones. A
// packet without a time is always decoded. Decoders that cannot tell
// reference frames apart decode everything, as before.
void VideoStreamDecoder::choose_frames_to_skip(const AVPacket& packet) {
  const bool before_target = packet.pts != AV_NOPTS_VALUE && packet.pts < decode_target_;
  codec_->skip_frame = before_target ? AVDISCARD_NONREF : AVDISCARD_DEFAULT;
  if (before_target && !(packet.flags & AV_PKT_FLAG_KEY)) skipped_until_ = std::max(skipped_until_, packet.pts);
}

void VideoStreamDecoder::note_decode_error(int code) {
  last_decode_error_ = libav_error_text(code);
  if (++consecutive_decode_errors_ > kMaxConsecutiveDecodeErrors) {
    throw MediaError(path(), "video does not decode (" + last_decode_error_ + ")");
  }
}

// best_effort_timestamp repairs missing or non-monotonic pts the way ffmpeg
// does. Raw streams (an .h264 file) have no timestamps at all: frames are
// then counted from the start, one frame duration apart.
std::int64_t VideoStreamDecoder::timestamp_of(const AVFrame& frame) const {
  if (frame.best_effort_timestamp != AV_NOPTS_VALUE) return frame.best_effort_timestamp;
  if (frame.pts != AV_NOPTS_VALUE) return frame.pts;
  if (!has_current_) return container_.start();
  // AVFrame::duration replaced pkt_duration in FFmpeg 6.0 (libavutil 57.30);
  // FFmpeg 7 removed the latter.
#if LIBAVUTIL_VERSION_INT >= AV_VERSION_INT(57, 30, 100)
  const std::int64_t duration = frame.duration;
#else
  const std::int64_t duration = frame.pkt_duration;
#endif
  return current_timestamp_ + std::max<std::int64_t>(duration, container_.frame_duration());
}

}  // namespace popsweep::media
