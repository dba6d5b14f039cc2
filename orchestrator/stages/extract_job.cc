#include "orchestrator/stages/extract_job.h"

#include <algorithm>

#include "common/error.h"
#include "common/fault_points.h"
#include "orchestrator/stages/backbone_cache.h"
#include "worker/features/media_embedder.h"

namespace popsweep::orchestrator {

std::shared_ptr<BackboneCache> make_backbone_cache() { return std::make_shared<BackboneCache>(); }

namespace {

std::vector<features::MediaToEmbed> items_of(const nlohmann::json& items) {
  std::vector<features::MediaToEmbed> media;
  for (const nlohmann::json& item : items) {
    features::MediaToEmbed m;
    m.content_hash = item.at("hash").get<std::string>();
    m.path = item.at("path").get<std::string>();
    m.media_type = item.at("type").get<std::string>();
    m.thumbnail_path = item.value("thumbnail", std::string());
    for (const nlohmann::json& needed : item.at("needed")) {
      m.needed.push_back({needed.at(0).get<std::string>(), needed.at(1).get<int>()});
    }
    media.push_back(std::move(m));
  }
  return media;
}

// record_extracted's layout (extract_stage.h).
Message extracted_message(const std::string& type, const std::vector<features::EmbeddedMedia>& batch) {
  nlohmann::json features = nlohmann::json::array(), videos = nlohmann::json::array(),
                 problems = nlohmann::json::array(), glances = nlohmann::json::array();
  std::vector<float> values;
  std::string glance_pixels;
  for (const features::EmbeddedMedia& media : batch) {
    if (!media.problem.empty()) {
      problems.push_back({media.content_hash, media.problem});
      continue;
    }
    for (const features::Embedding& embedding : media.embeddings) {
      features.push_back({media.content_hash, embedding.role, embedding.view, embedding.rows});
      values.insert(values.end(), embedding.values.begin(), embedding.values.end());
    }
    if (media.glance) {
      glances.push_back({media.content_hash, media.glance->width});
      glance_pixels.append(media.glance->pixels.begin(), media.glance->pixels.end());
    }
    if (media.video) {
      videos.push_back({media.content_hash, media.video->duration_seconds, media.video->frame_rate, media.video->width,
                        media.video->height});
    }
  }
  Message message = make_message(
      type, {{"features", features}, {"videos", videos}, {"problems", problems}, {"glances", glances}});
  message.blobs.push_back(floats_to_blob(values));
  message.blobs.push_back(std::move(glance_pixels));
  return message;
}

}  // namespace

StageFunction make_extract_job(std::shared_ptr<BackboneCache> cache) {
  return [cache](const Message& job, const DatasetCache&, const WorkerEnvironment& environment,
                 const std::function<bool()>& should_stop, const Emitter& emit) {
    const nlohmann::json& params = job.header.at("params");
    const nlohmann::json& features = params.at("features");
    nets::FrozenBackbone& backbone =
        cache->get(backbone_spec_of(features, job.header.value("weights_path", std::string()), environment.device));
    features::EmbeddingSettings settings;
    settings.image_size = features.at("image_size").get<int>();
    settings.view_seed = features.at("view_seed").get<std::uint64_t>();
    settings.jpeg_dct_scaling = features.value("jpeg_dct_scaling", false);
    settings.batch_images = job.header.value("batch", 32);
    // On a GPU decoding is what limits: every core decodes the next batch
    // while the GPU embeds this one. On a CPU the backbone needs the cores
    // too, and decoding beside it made LibTorch's OpenMP threads spin-wait
    // on cores the decoder wanted (256 photos of 1080 px: 7.7 s, 6.0 s with
    // OMP_WAIT_POLICY=passive); so the cores take turns: all of them decode
    // a batch, then all of them embed it.
    const bool gpu = environment.device.rfind("cuda", 0) == 0;
    settings.decode_threads = std::max(1, environment.threads);
    settings.overlap_decoding = gpu;
    int embedded = 0, problems = 0;
    const bool completed = features::embed_media(
        backbone, items_of(job.header.at("items")), settings, should_stop,
        [&](std::vector<features::EmbeddedMedia>&& batch) {
          for (const features::EmbeddedMedia& media : batch) (media.problem.empty() ? embedded : problems) += 1;
          fault_point("extract.mid_batch");
          emit(extracted_message("partial", batch));
        });
    // Everything went out as partials; an interrupted extraction simply
    // restarts later with what is still missing.
    if (!completed) return make_message("interrupted");
    return make_message("result", {{"embedded_media", embedded}, {"unreadable_media", problems}});
  };
}

}  // namespace popsweep::orchestrator
