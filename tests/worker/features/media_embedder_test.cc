// The extraction pipeline on real files: a pool of decoding threads gives
// exactly the embeddings, augmented views and problems of one thread, in the
// items' order, and an unreadable file is reported without stopping the rest.
#include "worker/features/media_embedder.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/core.hpp>

#include "tests/support/temp_dir.h"
#include "worker/nets/backbone.h"

namespace popsweep::features {
namespace {

std::vector<EmbeddedMedia> embed_all(nets::FrozenBackbone& backbone, const std::vector<MediaToEmbed>& items,
                                     int decode_threads, int batch) {
  EmbeddingSettings settings;
  settings.image_size = 64;  // small, so the test is quick; the arithmetic is the same
  settings.view_seed = 7;
  settings.batch_images = batch;
  settings.decode_threads = decode_threads;
  std::vector<EmbeddedMedia> all;
  const bool completed = embed_media(backbone, items, settings, nullptr, [&](std::vector<EmbeddedMedia>&& batch_out) {
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
  items.insert(items.begin() + 4, MediaToEmbed{"broken", dir.write("broken.jpg", "not a JPEG"), "image", "", {{"image", 0}}});

  nets::BackboneSpec spec;
  spec.weights = "random";
  std::unique_ptr<nets::FrozenBackbone> backbone = nets::load_backbone(spec);
  const std::vector<EmbeddedMedia> one = embed_all(*backbone, items, 1, 8);
  const std::vector<EmbeddedMedia> pool = embed_all(*backbone, items, 3, 8);

  ASSERT_EQ(one.size(), items.size());
  ASSERT_EQ(pool.size(), items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    SCOPED_TRACE(items[i].path);
    EXPECT_EQ(pool[i].content_hash, items[i].content_hash);  // input order kept
    EXPECT_EQ(pool[i].problem, one[i].problem);
    ASSERT_EQ(pool[i].embeddings.size(), one[i].embeddings.size());
    for (size_t e = 0; e < one[i].embeddings.size(); ++e) {
      EXPECT_EQ(pool[i].embeddings[e].view, one[i].embeddings[e].view);
      EXPECT_EQ(pool[i].embeddings[e].values, one[i].embeddings[e].values);
    }
  }
  EXPECT_FALSE(pool[4].problem.empty());
  EXPECT_TRUE(pool[4].embeddings.empty());
  EXPECT_EQ(pool[5].embeddings.size(), 2u);
  // The augmented view is not the plain image.
  EXPECT_NE(pool[5].embeddings[0].values, pool[5].embeddings[1].values);
}

}  // namespace
}  // namespace popsweep::features
