#include "worker/features/media_embedder.h"

#include <torch/torch.h>

#include <atomic>
#include <future>
#include <thread>
#include <utility>
#include <vector>

#include "common/error.h"
#include "worker/features/augmentation.h"
#include "worker/features/pixel_verification.h"
#include "worker/media/image_decoder.h"
#include "worker/media/image_preprocess.h"
#include "worker/media/video_frame_sampler.h"
#include "worker/nets/backbone.h"

namespace popsweep::features {
namespace {

// One requested embedding with its backbone inputs (CHW floats per row).
struct PendingEmbedding {
  EmbeddingRequest request;
  std::vector<std::vector<float>> rows;
};

struct DecodedMedia {
  EmbeddedMedia result;
  std::vector<PendingEmbedding> pending;
};

struct Preparation {
  int size;
  media::ChannelNormalization normalization;
  std::uint64_t view_seed;
  bool jpeg_dct_scaling;
};

std::vector<float> prepare(const media::RgbImage& image, const Preparation& how) {
  return media::preprocess_image(image, how.size, how.normalization);
}

void decode_image(const MediaToEmbed& item, const Preparation& how, DecodedMedia& out) {
  // Augment at the network's resolution, as a Keras pipeline that loads
  // images at 224 x 224 and then applies its augmentation layers does.
  // Twice the input side: with libjpeg's scaling down to the input side
  // itself, MobileNetV2's features of real 1080 px photos moved to a cosine of
  // 0.981 against the reference decoding; leaving the last halving to the
  // antialiasing resize keeps them at 0.998 or more (docs/BENCHMARKS.md).
  const media::RgbImage decoded = how.jpeg_dct_scaling ? media::decode_image_file_reduced(item.path, how.size * 2)
                                                       : media::decode_image_file(item.path);
  const media::RgbImage resized = media::resize_bilinear(decoded, how.size, how.size);
  // From the backbone's input rather than the decoded file: the same for
  // every decoding of the set, and a box average by a whole factor (224 to
  // 32: 0.03 ms) where the decoded 1080 px photo would cost 2 ms.
  out.result.glance = glance_picture(resized);
  for (const EmbeddingRequest& request : item.needed) {
    if (request.role != "image") throw Error("an image has no '" + request.role + "' embedding");
    media::RgbImage view = resized;
    if (request.view > 0) {
      const std::uint64_t seed = augmentation_seed(how.view_seed, item.content_hash, request.view);
      view = apply_augmentation(resized, draw_augmentation(seed, AugmentationSettings{}));
    }
    out.pending.push_back({request, {media::normalize_to_chw(view, how.normalization)}});
  }
}

void decode_video(const MediaToEmbed& item, const Preparation& how, DecodedMedia& out) {
  media::VideoFrameSampler sampler(item.path);
  out.result.video = sampler.info();
  for (const EmbeddingRequest& request : item.needed) {
    PendingEmbedding pending{request, {}};
    if (request.role == "frames") {
      for (const media::RgbImage& frame : sampler.sample_frames(media::kVideoFrameCount)) {
        pending.rows.push_back(prepare(frame, how));
      }
    } else if (request.role == "thumbnail") {
      const media::RgbImage resized = media::resize_bilinear(
          item.thumbnail_path.empty() ? sampler.frame_at(0.0) : media::decode_image_file(item.thumbnail_path),
          how.size, how.size);
      out.result.glance = glance_picture(resized);
      pending.rows.push_back(media::normalize_to_chw(resized, how.normalization));
    } else {
      throw Error("a video has no '" + request.role + "' embedding");
    }
    out.pending.push_back(std::move(pending));
  }
}

DecodedMedia decode(const MediaToEmbed& item, const Preparation& how) {
  DecodedMedia out;
  out.result.content_hash = item.content_hash;
  try {
    if (item.media_type == "image") {
      decode_image(item, how, out);
    } else {
      decode_video(item, how, out);
    }
  } catch (const std::exception& error) {
    // One bad file never stops the job: it is reported and skipped.
    out.pending.clear();
    out.result.glance.reset();
    out.result.problem = error.what();
  }
  return out;
}

// Decodes items [begin, end) with `threads` threads taking the next item as
// they finish; each result goes to its item's slot, so the output (and the
// seeded augmentations) do not depend on the thread count.
std::vector<DecodedMedia> decode_range(const std::vector<MediaToEmbed>& items, size_t begin, size_t end,
                                       const Preparation& how, int threads) {
  std::vector<DecodedMedia> decoded(end - begin);
  std::atomic<size_t> next{begin};
  auto work = [&] {
    for (size_t i = next++; i < end; i = next++) decoded[i - begin] = decode(items[i], how);
  };
  std::vector<std::thread> helpers;
  const size_t extra = std::min<size_t>(static_cast<size_t>(std::max(threads, 1) - 1), end - begin);
  for (size_t t = 1; t < extra + 1; ++t) helpers.emplace_back(work);
  work();
  for (std::thread& helper : helpers) helper.join();
  return decoded;
}

size_t expected_rows(const MediaToEmbed& item) {
  size_t rows = 0;
  for (const EmbeddingRequest& request : item.needed) rows += request.role == "frames" ? media::kVideoFrameCount : 1;
  return rows;
}

// Item ranges of about `batch` backbone rows each, fixed before decoding so
// the next range can be decoded while the current one is embedded.
std::vector<std::pair<size_t, size_t>> plan_chunks(const std::vector<MediaToEmbed>& items, int batch) {
  std::vector<std::pair<size_t, size_t>> chunks;
  size_t begin = 0, rows = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    rows += expected_rows(items[i]);
    if (rows >= static_cast<size_t>(std::max(batch, 1))) {
      chunks.emplace_back(begin, i + 1);
      begin = i + 1;
      rows = 0;
    }
  }
  if (begin < items.size()) chunks.emplace_back(begin, items.size());
  return chunks;
}

std::vector<EmbeddedMedia> embed_chunk(nets::FrozenBackbone& backbone, std::vector<DecodedMedia>&& decoded,
                                       int size) {
  const int64_t plane = 3LL * size * size;
  int64_t total_rows = 0;
  for (const DecodedMedia& media : decoded) {
    for (const PendingEmbedding& pending : media.pending) total_rows += static_cast<int64_t>(pending.rows.size());
  }
  std::vector<EmbeddedMedia> finished;
  finished.reserve(decoded.size());
  if (total_rows == 0) {
    for (DecodedMedia& media : decoded) finished.push_back(std::move(media.result));
    return finished;
  }
  torch::Tensor inputs = torch::empty({total_rows, 3, size, size}, torch::kFloat32);
  float* destination = inputs.data_ptr<float>();
  for (const DecodedMedia& media : decoded) {
    for (const PendingEmbedding& pending : media.pending) {
      for (const std::vector<float>& row : pending.rows) {
        std::copy(row.begin(), row.end(), destination);
        destination += plane;
      }
    }
  }
  const torch::Tensor features =
      backbone.embed(inputs.to(backbone.device())).to(torch::kCPU, torch::kFloat32).contiguous();
  const int64_t dim = features.size(1);
  const float* source = features.data_ptr<float>();
  for (DecodedMedia& media : decoded) {
    for (const PendingEmbedding& pending : media.pending) {
      Embedding embedding;
      embedding.role = pending.request.role;
      embedding.view = pending.request.view;
      embedding.rows = static_cast<int>(pending.rows.size());
      embedding.values.assign(source, source + embedding.rows * dim);
      source += embedding.rows * dim;
      media.result.embeddings.push_back(std::move(embedding));
    }
    finished.push_back(std::move(media.result));
  }
  return finished;
}

}  // namespace

bool embed_media(nets::FrozenBackbone& backbone, const std::vector<MediaToEmbed>& items,
                 const EmbeddingSettings& settings, const std::function<bool()>& should_stop,
                 const EmbeddedBatchSink& deliver) {
  const Preparation how{settings.image_size, {backbone.input_mean(), backbone.input_std()}, settings.view_seed,
                        settings.jpeg_dct_scaling};
  const std::vector<std::pair<size_t, size_t>> chunks = plan_chunks(items, settings.batch_images);
  if (chunks.empty()) return true;
  auto decode_chunk = [&](size_t index) {
    return std::async(std::launch::async, decode_range, std::cref(items), chunks[index].first, chunks[index].second,
                      how, settings.decode_threads);
  };
  if (!settings.overlap_decoding) {
    for (size_t index = 0; index < chunks.size(); ++index) {
      std::vector<DecodedMedia> decoded =
          decode_range(items, chunks[index].first, chunks[index].second, how, settings.decode_threads);
      if (should_stop && should_stop()) return false;
      deliver(embed_chunk(backbone, std::move(decoded), settings.image_size));
    }
    return true;
  }
  std::future<std::vector<DecodedMedia>> next = decode_chunk(0);
  for (size_t index = 0; index < chunks.size(); ++index) {
    std::vector<DecodedMedia> decoded = next.get();
    if (should_stop && should_stop()) return false;
    if (index + 1 < chunks.size()) next = decode_chunk(index + 1);
    deliver(embed_chunk(backbone, std::move(decoded), settings.image_size));
  }
  return true;
}

}  // namespace popsweep::features
