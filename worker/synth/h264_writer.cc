#include "worker/synth/h264_writer.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavcodec/version.h>
#include <libavformat/avformat.h>
#include <libavutil/display.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

#include "common/error.h"

namespace popsweep::synth {
namespace {

struct CodecContextDeleter {
  void operator()(AVCodecContext* context) const { avcodec_free_context(&context); }
};
struct FrameDeleter {
  void operator()(AVFrame* frame) const { av_frame_free(&frame); }
};
struct PacketDeleter {
  void operator()(AVPacket* packet) const { av_packet_free(&packet); }
};
struct ScaleDeleter {
  void operator()(SwsContext* context) const { sws_freeContext(context); }
};
// Closes the file it opened; the trailer is written by finish() only.
struct OutputDeleter {
  void operator()(AVFormatContext* format) const {
    if (format->pb && !(format->oformat->flags & AVFMT_NOFILE)) avio_closep(&format->pb);
    avformat_free_context(format);
  }
};

std::string libav_error(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(code, text, sizeof text);
  return text;
}

// "fast" with its costliest searches cut back: 2.5 times quicker on small
// frames for a few percent of size, which synthetic clips do not need.
// With its AVX-512 code, x264 (164) gave other bytes for the same frames and
// settings from one encode to the next within a process; held to AVX2 it
// repeats itself exactly, so where AVX2 exists x264 uses nothing newer.
std::string x264_parameters() {
  std::string parameters = "trellis=0:subme=2:me=dia:ref=1";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2")) {
    parameters += ":asm=AVX2";
  }
  return parameters;
}

// An empty display matrix attached to the stream, or null. FFmpeg 6.1
// (libavcodec 60.30) moved a stream's side data into its codec parameters and
// deprecated av_stream_new_side_data; FFmpeg 7's muxers read only the former.
std::uint8_t* new_display_matrix(AVStream& stream) {
  constexpr std::size_t matrix_bytes = 9 * sizeof(std::int32_t);
#if LIBAVCODEC_VERSION_INT >= AV_VERSION_INT(60, 30, 100)
  AVPacketSideData* side_data = av_packet_side_data_new(
      &stream.codecpar->coded_side_data, &stream.codecpar->nb_coded_side_data, AV_PKT_DATA_DISPLAYMATRIX,
      matrix_bytes, 0);
  return side_data ? side_data->data : nullptr;
#else
  return av_stream_new_side_data(&stream, AV_PKT_DATA_DISPLAYMATRIX, matrix_bytes);
#endif
}

}  // namespace

QuietLibavLog::QuietLibavLog() : previous_level_(av_log_get_level()) {
  if (previous_level_ > AV_LOG_ERROR) av_log_set_level(AV_LOG_ERROR);
}

QuietLibavLog::~QuietLibavLog() { av_log_set_level(previous_level_); }

struct H264Mp4Writer::Handles {
  std::unique_ptr<AVFormatContext, OutputDeleter> format;
  std::unique_ptr<AVCodecContext, CodecContextDeleter> codec;
  std::unique_ptr<AVFrame, FrameDeleter> frame;
  std::unique_ptr<AVPacket, PacketDeleter> packet;
  std::unique_ptr<SwsContext, ScaleDeleter> to_yuv;
  AVStream* stream = nullptr;  // owned by `format`
};

H264Mp4Writer::H264Mp4Writer(const std::string& path, const H264Settings& settings)
    : path_(path), settings_(settings), handles_(std::make_unique<Handles>()) {
  const auto check = [&](int code, const char* what) {
    if (code < 0) throw Error(path_ + ": " + what + ": " + libav_error(code));
  };
  AVFormatContext* format = nullptr;
  check(avformat_alloc_output_context2(&format, nullptr, "mp4", path.c_str()), "cannot set up an MP4 muxer");
  handles_->format.reset(format);
  format->flags |= AVFMT_FLAG_BITEXACT;

  const AVCodec* encoder = avcodec_find_encoder_by_name("libx264");
  if (!encoder) throw Error(path_ + ": FFmpeg was built without the libx264 encoder");
  handles_->codec.reset(avcodec_alloc_context3(encoder));
  AVCodecContext* codec = handles_->codec.get();
  codec->width = settings.width;
  codec->height = settings.height;
  codec->pix_fmt = AV_PIX_FMT_YUV420P;
  codec->time_base = {1, settings.fps};
  codec->framerate = {settings.fps, 1};
  codec->gop_size = 4 * settings.fps;
  codec->thread_count = 1;  // x264's output depends on its thread count
  codec->color_range = AVCOL_RANGE_MPEG;
  codec->colorspace = AVCOL_SPC_SMPTE170M;  // what swscale's default BGR->YUV produces
  if (format->oformat->flags & AVFMT_GLOBALHEADER) codec->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  check(av_opt_set(codec->priv_data, "preset", "fast", 0), "cannot set the x264 preset");
  check(av_opt_set_int(codec->priv_data, "crf", settings.crf, 0), "cannot set the x264 crf");
  check(av_opt_set(codec->priv_data, "x264-params", x264_parameters().c_str(), 0),
        "cannot set the x264 parameters");
  check(avcodec_open2(codec, encoder, nullptr), "cannot open the x264 encoder");

  handles_->stream = avformat_new_stream(format, nullptr);
  if (!handles_->stream) throw Error(path_ + ": cannot add a video stream");
  check(avcodec_parameters_from_context(handles_->stream->codecpar, codec), "cannot copy codec parameters");
  handles_->stream->time_base = codec->time_base;
  handles_->stream->avg_frame_rate = codec->framerate;
  if (settings.rotation_clockwise % 360 != 0) {
    auto* matrix = reinterpret_cast<std::int32_t*>(new_display_matrix(*handles_->stream));
    if (!matrix) throw Error(path_ + ": cannot attach the display matrix");
    // The setter takes a clockwise angle; av_display_rotation_get and
    // ffprobe's "rotation" count counter-clockwise, so 90 here reads as -90.
    av_display_rotation_set(matrix, settings.rotation_clockwise);
  }

  check(avio_open(&format->pb, path.c_str(), AVIO_FLAG_WRITE), "cannot create the file");
  check(avformat_write_header(format, nullptr), "cannot write the MP4 header");

  handles_->frame.reset(av_frame_alloc());
  handles_->packet.reset(av_packet_alloc());
  if (!handles_->frame || !handles_->packet) throw Error(path_ + ": out of memory");
  AVFrame* frame = handles_->frame.get();
  frame->format = AV_PIX_FMT_YUV420P;
  frame->width = settings.width;
  frame->height = settings.height;
  check(av_frame_get_buffer(frame, 0), "cannot allocate a frame");
  handles_->to_yuv.reset(sws_getContext(settings.width, settings.height, AV_PIX_FMT_BGR24, settings.width,
                                        settings.height, AV_PIX_FMT_YUV420P, SWS_BILINEAR, nullptr, nullptr,
                                        nullptr));
  if (!handles_->to_yuv) throw Error(path_ + ": cannot set up the colour conversion");
}

H264Mp4Writer::~H264Mp4Writer() = default;

void H264Mp4Writer::write_frame(const cv::Mat& bgr) {
  if (bgr.type() != CV_8UC3 || bgr.cols != settings_.width || bgr.rows != settings_.height) {
    throw Error(path_ + ": a frame must be BGR at the coded size");
  }
  AVFrame* frame = handles_->frame.get();
  const int writable = av_frame_make_writable(frame);
  if (writable < 0) throw Error(path_ + ": cannot reuse a frame: " + libav_error(writable));
  const std::uint8_t* source[1] = {bgr.data};
  const int source_stride[1] = {static_cast<int>(bgr.step)};
  sws_scale(handles_->to_yuv.get(), source, source_stride, 0, bgr.rows, frame->data, frame->linesize);
  frame->pts = frames_written_++;
  const int sent = avcodec_send_frame(handles_->codec.get(), frame);
  if (sent < 0) throw Error(path_ + ": cannot encode frame " + std::to_string(frame->pts) + ": " + libav_error(sent));
  encode(false);
}

void H264Mp4Writer::finish() {
  const int sent = avcodec_send_frame(handles_->codec.get(), nullptr);
  if (sent < 0) throw Error(path_ + ": cannot flush the encoder: " + libav_error(sent));
  encode(true);
  const int trailer = av_write_trailer(handles_->format.get());
  if (trailer < 0) throw Error(path_ + ": cannot write the MP4 index: " + libav_error(trailer));
}

void H264Mp4Writer::encode(bool flush) {
  AVPacket* packet = handles_->packet.get();
  for (;;) {
    const int received = avcodec_receive_packet(handles_->codec.get(), packet);
    if (received == AVERROR(EAGAIN) || received == AVERROR_EOF) break;
    if (received < 0) throw Error(path_ + ": encoder failed: " + libav_error(received));
    // Every frame lasts 1/fps, the last one included, so the stream's
    // duration is frames / fps.
    if (packet->duration == 0) packet->duration = 1;
    av_packet_rescale_ts(packet, handles_->codec->time_base, handles_->stream->time_base);
    packet->stream_index = handles_->stream->index;
    const int written = av_interleaved_write_frame(handles_->format.get(), packet);
    if (written < 0) throw Error(path_ + ": cannot write a packet: " + libav_error(written));
  }
  if (flush) {
    const int written = av_interleaved_write_frame(handles_->format.get(), nullptr);
    if (written < 0) throw Error(path_ + ": cannot flush the muxer: " + libav_error(written));
  }
}

}  // namespace popsweep::synth
