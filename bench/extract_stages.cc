// Where the time of an image extraction goes (issue 25): each stage of
// `popsweep extract`'s image path run alone over the same files, so the
// next bottleneck is visible.
//
//   build/bench/popsweep_bench_extract_stages RUNS THREADS IMAGE...
//
// Stages, in the order the extractor runs them (worker/features/media_embedder.cc):
//   read        the file's bytes (from the page cache after the warm-up)
//   decode      libjpeg-turbo at full size, from those bytes
//   decode 1/N  the same at the libjpeg scale features.jpeg_dct_scaling picks
//               (read included: that decoder takes a path)
//   resize      the PIL-exact antialiasing resize to 224 x 224
//   normalise   to CHW floats with ImageNet's mean and std
//   backbone    the frozen EfficientNet-B0 (random weights), batches of 32
//   store       the 1280-float features into a new SQLite database, in
//               transactions of 32 records, as the coordinator writes them
// The per-image stages run on THREADS threads taking the next image as they
// finish (as decode_range does); the backbone runs on THREADS LibTorch
// threads. Each figure is the median of RUNS runs after one warm-up run.
// Printed as a Markdown table; bench/extract_stages.sh makes the images.
#include <ATen/Parallel.h>
#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "bench/median_timer.h"
#include "common/file_util.h"
#include "common/large_buffer_heap.h"
#include "storage/database.h"
#include "storage/feature_tables.h"
#include "storage/schema.h"
#include "worker/media/image_decoder.h"
#include "worker/media/image_preprocess.h"
#include "worker/nets/backbone.h"

namespace {

using namespace popsweep;
using bench::median_seconds;

constexpr int kImageSize = 224;
constexpr int kBatch = 32;

// Calls work(i) for i in [0, count) on `threads` threads.
void for_each_index(std::size_t count, int threads, const std::function<void(std::size_t)>& work) {
  std::atomic<std::size_t> next{0};
  auto loop = [&] {
    for (std::size_t i = next++; i < count; i = next++) work(i);
  };
  std::vector<std::thread> helpers;
  for (int t = 1; t < threads; ++t) helpers.emplace_back(loop);
  loop();
  for (std::thread& helper : helpers) helper.join();
}

struct Stage {
  std::string name;
  double seconds;
};

}  // namespace

int main(int argc, char** argv) {
  popsweep::keep_large_buffers_on_the_heap();  // as popsweep's main: time what it runs
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s RUNS THREADS IMAGE...\n", argv[0]);
    return 2;
  }
  const int runs = std::max(1, std::atoi(argv[1]));
  const int threads = std::max(1, std::atoi(argv[2]));
  const std::vector<std::string> paths(argv + 3, argv + argc);
  const std::size_t count = paths.size();
  at::set_num_threads(threads);

  std::vector<std::vector<std::uint8_t>> bytes(count);
  std::vector<media::RgbImage> decoded(count), resized(count);
  std::vector<std::vector<float>> inputs(count);
  std::vector<Stage> stages;

  stages.push_back({"read", median_seconds(runs, [&] {
                      for_each_index(count, threads, [&](std::size_t i) { bytes[i] = read_binary_file(paths[i]); });
                    })});
  stages.push_back({"decode (full size)", median_seconds(runs, [&] {
                      for_each_index(count, threads,
                                     [&](std::size_t i) { decoded[i] = media::decode_image_bytes(bytes[i], paths[i]); });
                    })});
  const double reduced = median_seconds(runs, [&] {
    for_each_index(count, threads,
                   [&](std::size_t i) { media::decode_image_file_reduced(paths[i], 2 * kImageSize); });
  });
  stages.push_back({"resize to 224", median_seconds(runs, [&] {
                      for_each_index(count, threads, [&](std::size_t i) {
                        resized[i] = media::resize_bilinear(decoded[i], kImageSize, kImageSize);
                      });
                    })});

  nets::BackboneSpec spec;  // EfficientNet-B0, random weights, CPU
  const std::unique_ptr<nets::FrozenBackbone> backbone = nets::load_backbone(spec);
  const media::ChannelNormalization normalization{backbone->input_mean(), backbone->input_std()};
  stages.push_back({"normalise to CHW floats", median_seconds(runs, [&] {
                      for_each_index(count, threads, [&](std::size_t i) {
                        inputs[i] = media::normalize_to_chw(resized[i], normalization);
                      });
                    })});

  std::vector<std::vector<float>> features(count);
  const std::int64_t plane = 3LL * kImageSize * kImageSize;
  stages.push_back({"backbone (batches of 32)", median_seconds(runs, [&] {
                      for (std::size_t first = 0; first < count; first += kBatch) {
                        const std::size_t rows = std::min<std::size_t>(kBatch, count - first);
                        torch::Tensor batch =
                            torch::empty({static_cast<std::int64_t>(rows), 3, kImageSize, kImageSize});
                        for (std::size_t r = 0; r < rows; ++r)
                          std::copy(inputs[first + r].begin(), inputs[first + r].end(),
                                    batch.data_ptr<float>() + r * plane);
                        const torch::Tensor out = backbone->embed(batch).contiguous();
                        for (std::size_t r = 0; r < rows; ++r)
                          features[first + r].assign(out[r].data_ptr<float>(),
                                                     out[r].data_ptr<float>() + out.size(1));
                      }
                    })});

  const std::string database_path =
      (std::filesystem::temp_directory_path() / ("popsweep-extract-stages-" + std::to_string(::getpid()) + ".db"))
          .string();
  stages.push_back({"store (SQLite, 32 per transaction)", median_seconds(runs, [&] {
                      std::filesystem::remove(database_path);
                      storage::Database db = storage::Database::open(database_path);
                      storage::migrate_to_latest(db);
                      const std::int64_t set = storage::ensure_feature_set(
                          db, {"efficientnet_b0", "random:0", "bench", static_cast<int>(features[0].size())});
                      for (std::size_t first = 0; first < count; first += kBatch) {
                        std::vector<storage::FeatureRecord> records;
                        for (std::size_t i = first; i < std::min(count, first + kBatch); ++i)
                          records.push_back({"hash" + std::to_string(i), "image", 0, 1, features[i]});
                        storage::save_features(db, set, records);
                      }
                    })});
  std::filesystem::remove(database_path);

  double total = 0;
  for (const Stage& stage : stages) total += stage.seconds;
  std::printf("| stage (%zu images, %d threads) | seconds | ms per image | share |\n", count, threads);
  std::printf("|---|---|---|---|\n");
  for (const Stage& stage : stages) {
    std::printf("| %s | %.3f | %.2f | %.0f%% |\n", stage.name.c_str(), stage.seconds, 1000 * stage.seconds / count,
                100 * stage.seconds / total);
  }
  std::printf("| sum of the stages | %.3f | %.2f | 100%% |\n", total, 1000 * total / count);
  std::printf("| instead of read + decode: read and decode at libjpeg's reduced scale (features.jpeg_dct_scaling) "
              "| %.3f | %.2f | |\n",
              reduced, 1000 * reduced / count);
  std::printf("| backbone alone: images/s | %.1f | | |\n", count / stages[4].seconds);
  return 0;
}
