// The extraction pipeline on real files: a pool of decoding threads gives
// exactly the embeddings, augmented views and problems of one thread, in the
// items' order, and an unreadable file is reported without stopping the rest.
#include "worker/features/media_embedder.h"

#include <ATen/Parallel.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "tests/support/temp_dir.h"
#include "worker/nets/backbone.h"

namespace popsweep::features {
namespace {

std::vector<EmbeddedMedia> embed_all(nets::FrozenBackbone& backbone, const std::vector<MediaToEmbed>& items,
                                     int decode_threads, int batch, bool overlap_decoding = true) {
  EmbeddingSettings settings;
  settings.image_size = 64;  // small, so the test is quick; the arithmetic is the same
  settings.view_seed = 7;
  settings.batch_images = batch;
  settings.decode_threads = decode_threads;
  settings.overlap_decoding = overlap_decoding;
  std::vector<EmbeddedMedia> all;
  const bool completed =
      embed_media(backbone, items, settings, nullptr, [&](std::vector<EmbeddedMedia>&& batch_out) {
        for (EmbeddedMedia& media : batch_out) all.push_back(std::move(media));
      });
  EXPECT_TRUE(completed);
  return all;
}

TEST(MediaEmbedder, DecodingThreadsChangeNothingButSpeed) {
  testing::TempDir dir;
  std::vector<MediaToEmbed> items;
  cv::RNG rng(3);
  for (int i = 0; i < 11; ++i) {
    cv::Mat image(90 + 7 * i, 120, CV_8UC3);
    rng.fill(image, cv::RNG::UNIFORM, 0, 256);
    const std::string path = dir.file("image" + std::to_string(i) + (i % 2 ? ".png" : ".jpg"));
    ASSERT_TRUE(cv::imwrite(path, image));
    items.push_back({"hash" + std::to_string(i), path, "image", "", {{"image", 0}, {"image", 1}}});
  }
  items.insert(items.begin() + 4,
               MediaToEmbed{"broken", dir.write("broken.jpg", "not a JPEG"), "image", "", {{"image", 0}}});

  nets::BackboneSpec spec;
  spec.weights = "random";
  std::unique_ptr<nets::FrozenBackbone> backbone = nets::load_backbone(spec);
  const std::vector<EmbeddedMedia> one = embed_all(*backbone, items, 1, 8);
  const std::vector<EmbeddedMedia> pool = embed_all(*backbone, items, 3, 8);
  // A CPU's way: the cores take turns decoding and embedding.
  const std::vector<EmbeddedMedia> turns = embed_all(*backbone, items, 2, 8, /*overlap_decoding=*/false);

  ASSERT_EQ(one.size(), items.size());
  ASSERT_EQ(pool.size(), items.size());
  ASSERT_EQ(turns.size(), items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    SCOPED_TRACE(items[i].path);
    EXPECT_EQ(pool[i].content_hash, items[i].content_hash);  // input order kept
    EXPECT_EQ(turns[i].content_hash, items[i].content_hash);
    EXPECT_EQ(pool[i].problem, one[i].problem);
    EXPECT_EQ(turns[i].problem, one[i].problem);
    ASSERT_EQ(pool[i].embeddings.size(), one[i].embeddings.size());
    ASSERT_EQ(turns[i].embeddings.size(), one[i].embeddings.size());
    for (size_t e = 0; e < one[i].embeddings.size(); ++e) {
      EXPECT_EQ(pool[i].embeddings[e].view, one[i].embeddings[e].view);
      EXPECT_EQ(pool[i].embeddings[e].values, one[i].embeddings[e].values);
      EXPECT_EQ(turns[i].embeddings[e].values, one[i].embeddings[e].values);
    }
  }
  EXPECT_FALSE(pool[4].problem.empty());
  EXPECT_TRUE(pool[4].embeddings.empty());
  EXPECT_EQ(pool[5].embeddings.size(), 2u);
  // The augmented view is not the plain image.
  EXPECT_NE(pool[5].embeddings[0].values, pool[5].embeddings[1].values);
}

// A resumed extraction embeds what is left, so a media lands in another
// batch, with other neighbours, than in an uninterrupted run; its features
// must not change (bit for bit), or the resumed sweep's numbers would.
TEST(MediaEmbedder, FeaturesDoNotDependOnTheBatchAMediaLandsIn) {
  testing::TempDir dir;
  std::vector<MediaToEmbed> items;
  cv::RNG rng(5);
  for (int i = 0; i < 21; ++i) {
    cv::Mat image(80 + 5 * i, 96, CV_8UC3);
    rng.fill(image, cv::RNG::UNIFORM, 0, 256);
    const std::string path = dir.file("image" + std::to_string(i) + ".png");
    ASSERT_TRUE(cv::imwrite(path, image));
    items.push_back(
        {"hash" + std::to_string(i), path, "image", "", {{"image", 0}, {"image", 1}, {"image", 2}}});
  }
  nets::BackboneSpec spec;
  spec.weights = "random";
  std::unique_ptr<nets::FrozenBackbone> backbone = nets::load_backbone(spec);
  // oneDNN's choice of algorithm depends on the thread count too: with one
  // thread the drift showed up in every row before passes had a fixed size.
  const int threads_before = at::get_num_threads();
  for (const int threads : {1, 2}) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    at::set_num_threads(threads);
    const std::vector<EmbeddedMedia> whole = embed_all(*backbone, items, 1, 8);
    // The last two alone (2 x 3 rows), the last one alone (3 rows), and all
    // in batches of other sizes: every row must come out the same.
    const std::vector<MediaToEmbed> last_two(items.end() - 2, items.end());
    const std::vector<MediaToEmbed> last_one(items.end() - 1, items.end());
    const std::vector<std::vector<EmbeddedMedia>> others{
        embed_all(*backbone, last_two, 1, 8), embed_all(*backbone, last_one, 1, 8),
        embed_all(*backbone, items, 2, 5), embed_all(*backbone, items, 1, 20),
        embed_all(*backbone, items, 1, 64)};
    for (const std::vector<EmbeddedMedia>& other : others) {
      for (const EmbeddedMedia& media : other) {
        const auto same = std::find_if(whole.begin(), whole.end(), [&](const EmbeddedMedia& m) {
          return m.content_hash == media.content_hash;
        });
        ASSERT_NE(same, whole.end());
        ASSERT_EQ(media.embeddings.size(), same->embeddings.size());
        for (size_t e = 0; e < media.embeddings.size(); ++e) {
          EXPECT_EQ(media.embeddings[e].values, same->embeddings[e].values)
              << media.content_hash << " view " << e;
        }
      }
    }
  }
  at::set_num_threads(threads_before);
}

}  // namespace
}  // namespace popsweep::features
