// The data of each experiment's jobs (M14-M17, M19) and M14's per-epoch
// augmented views.
#include "worker/train/job_data.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>

#include "common/error.h"
#include "worker/train/folds.h"

namespace popsweep::train {
namespace {

// Item i's embedding is filled with i (+ the frame / 100 for videos), so rows
// can be traced back to their item.
LabelledEmbeddings numbered_images(int n) {
  LabelledEmbeddings images;
  images.embeddings = torch::arange(n, torch::kFloat32).unsqueeze(1).expand({n, kEmbeddingSize}).contiguous();
  for (int i = 0; i < n; ++i) images.classes.push_back(i % 2);
  return images;
}

LabelledEmbeddings numbered_videos(int n) {
  LabelledEmbeddings videos;
  const torch::Tensor item = torch::arange(n, torch::kFloat32).view({n, 1, 1}) * 1000;
  const torch::Tensor frame = torch::arange(kVideoFrames, torch::kFloat32).view({1, kVideoFrames, 1});
  videos.embeddings = (item + frame).expand({n, kVideoFrames, kEmbeddingSize}).contiguous();
  for (int i = 0; i < n; ++i) videos.classes.push_back((i / 2) % 2);
  return videos;
}

TEST(TrainJobData, ImageJobsSplitImagesByTheirFolds) {
  const LabelledEmbeddings images = numbered_images(20);
  const std::vector<int> folds = stratified_folds(images.classes, 5, 1);
  const JobData job = assemble_job_data(Architecture::kImage, images, {}, folds, 2);
  EXPECT_EQ(job.validation_items, items_in_fold(folds, 2));
  EXPECT_EQ(job.training_images, items_outside_fold(folds, 2));
  ASSERT_EQ(job.data.train_inputs.size(0), 16);
  for (size_t row = 0; row < job.training_images.size(); ++row) {
    EXPECT_EQ(job.data.train_inputs[static_cast<int64_t>(row)][0].item<float>(), job.training_images[row]);
    EXPECT_EQ(job.data.train_classes[row], images.classes[static_cast<size_t>(job.training_images[row])]);
  }
}

TEST(TrainJobData, VideoExperimentsShareValidationVideosAndTrainOnEveryImage) {
  const LabelledEmbeddings images = numbered_images(7), videos = numbered_videos(15);
  const std::vector<int> folds = stratified_folds(videos.classes, 5, 3);
  const JobData cnn_rnn = assemble_job_data(Architecture::kCnnRnn, images, videos, folds, 0);
  const JobData to_image = assemble_job_data(Architecture::kVideoToImage, images, videos, folds, 0);
  const JobData to_video = assemble_job_data(Architecture::kImageToVideo, images, videos, folds, 0);
  for (const JobData* job : {&cnn_rnn, &to_image, &to_video}) {
    EXPECT_EQ(job->validation_items, items_in_fold(folds, 0));
    EXPECT_EQ(job->training_videos, items_outside_fold(folds, 0));
    EXPECT_EQ(job->data.validation_classes.size(), 3u);
  }
  EXPECT_TRUE(cnn_rnn.training_images.empty());
  EXPECT_EQ(cnn_rnn.data.train_inputs.sizes(), (std::vector<int64_t>{12, kVideoFrames, kEmbeddingSize}));

  // video_to_image: 7 images then 12 videos as their maximum (the last frame).
  EXPECT_EQ(to_image.training_images.size(), 7u);
  EXPECT_EQ(to_image.data.train_inputs.sizes(), (std::vector<int64_t>{19, kEmbeddingSize}));
  EXPECT_EQ(to_image.data.train_inputs[6][0].item<float>(), 6.0f);
  EXPECT_EQ(to_image.data.train_inputs[7][0].item<float>(), to_image.training_videos[0] * 1000 + 14);
  EXPECT_EQ(to_image.data.validation_inputs[0][5].item<float>(), to_image.validation_items[0] * 1000 + 14);
  EXPECT_EQ(to_image.data.train_classes[7], videos.classes[static_cast<size_t>(to_image.training_videos[0])]);

  // image_to_video: 7 static sequences then 12 videos.
  EXPECT_EQ(to_video.data.train_inputs.sizes(), (std::vector<int64_t>{19, kVideoFrames, kEmbeddingSize}));
  EXPECT_EQ(to_video.data.train_inputs[3][14][0].item<float>(), 3.0f);
  EXPECT_EQ(to_video.data.train_inputs[8][2][0].item<float>(), to_video.training_videos[1] * 1000 + 2);
  EXPECT_EQ(to_video.data.validation_inputs.sizes(), (std::vector<int64_t>{3, kVideoFrames, kEmbeddingSize}));
}

TEST(TrainJobData, MixedExperimentsTrainOnlyOnTheImagesTheSplitAllows) {
  // Under train.split post or time the mixed experiments leave out the images
  // of a validated video's post (and images published after the cutoff).
  const LabelledEmbeddings images = numbered_images(7), videos = numbered_videos(15);
  const FoldMembers members{{1, 4, 9}, {0, 2, 3, 5, 6, 7, 8, 10, 11, 12, 13, 14}};
  const std::vector<std::int64_t> allowed{0, 3, 6};
  for (const Architecture architecture : {Architecture::kVideoToImage, Architecture::kImageToVideo}) {
    const JobData job = assemble_job_data(architecture, images, videos, members, allowed);
    EXPECT_EQ(job.training_images, allowed);
    EXPECT_EQ(job.training_videos, members.training);
    EXPECT_EQ(job.validation_items, members.validation);
    ASSERT_EQ(job.data.train_inputs.size(0), 3 + 12);
    ASSERT_EQ(job.data.train_classes.size(), 15u);
    for (size_t row = 0; row < allowed.size(); ++row) {
      const torch::Tensor input = job.data.train_inputs[static_cast<int64_t>(row)];
      EXPECT_EQ(input.flatten()[0].item<float>(), static_cast<float>(allowed[row]));
      EXPECT_EQ(job.data.train_classes[row], images.classes[static_cast<size_t>(allowed[row])]);
    }
  }
  // The image and cnn_rnn experiments ignore the extra images.
  EXPECT_TRUE(assemble_job_data(Architecture::kCnnRnn, images, videos, members, allowed).training_images.empty());
  EXPECT_THROW(assemble_job_data(Architecture::kCnnRnn, images, videos, FoldMembers{{15}, {0}}, {}), Error);
}

TEST(TrainJobData, AugmentedViewsAreDrawnPerImagePerEpochAndSeeded) {
  const LabelledEmbeddings images = numbered_images(10), videos = numbered_videos(10);
  // View v of image i is filled with 100 i + v.
  const int views = 4;
  const torch::Tensor image_views = (torch::arange(10, torch::kFloat32).view({10, 1, 1}) * 100 +
                                     torch::arange(views, torch::kFloat32).view({1, views, 1}))
                                        .expand({10, views, kEmbeddingSize})
                                        .contiguous();
  const std::vector<int> folds = stratified_folds(videos.classes, 5, 3);
  JobData job = assemble_job_data(Architecture::kVideoToImage, images, videos, folds, 1);
  const torch::Tensor videos_before = job.data.train_inputs.narrow(0, 10, 8).clone();
  use_augmented_views(job, Architecture::kVideoToImage, image_views, 77);
  JobData twin = assemble_job_data(Architecture::kVideoToImage, images, videos, folds, 1);
  use_augmented_views(twin, Architecture::kVideoToImage, image_views, 77);

  std::set<int> views_seen;
  torch::Tensor first_epoch = job.data.training_inputs_for_epoch(1).clone();
  for (int epoch = 1; epoch <= 5; ++epoch) {
    const torch::Tensor inputs = job.data.training_inputs_for_epoch(epoch).clone();
    EXPECT_TRUE(torch::equal(inputs, twin.data.training_inputs_for_epoch(epoch))) << epoch;
    EXPECT_TRUE(torch::equal(inputs.narrow(0, 10, 8), videos_before)) << epoch;  // videos untouched
    for (int64_t row = 0; row < 10; ++row) {
      const float value = inputs[row][0].item<float>();
      const int image = static_cast<int>(value) / 100, view = static_cast<int>(value) % 100;
      EXPECT_EQ(image, row);  // row i is always image i's view
      EXPECT_TRUE(torch::all(inputs[row] == value).item<bool>());
      views_seen.insert(view);
    }
    if (epoch > 1) {
      EXPECT_FALSE(torch::equal(inputs, first_epoch)) << epoch;
    }
  }
  EXPECT_EQ(views_seen.size(), static_cast<size_t>(views));
  EXPECT_TRUE(torch::equal(job.data.training_inputs_for_epoch(3), twin.data.training_inputs_for_epoch(3)));
  EXPECT_THROW(use_augmented_views(job, Architecture::kImageToVideo, image_views, 1), ConfigError);
}

// Fake pixel-mode embedders: image i at epoch e is 100000 e + i; frame f of
// video v is 100000 e + 1000 v + f. They record what they were asked for.
struct RecordingEmbedders {
  std::vector<std::int64_t> images_asked, videos_asked;

  PixelEmbedders embedders() {
    PixelEmbedders embed;
    embed.images = [this](int epoch, const std::vector<std::int64_t>& images) {
      images_asked.insert(images_asked.end(), images.begin(), images.end());
      const auto n = static_cast<int64_t>(images.size());
      return (torch::tensor(images, torch::kFloat32).view({n, 1}) + 100000.0 * epoch)
          .expand({n, kEmbeddingSize})
          .contiguous();
    };
    embed.videos = [this](int epoch, const std::vector<std::int64_t>& videos) {
      videos_asked.insert(videos_asked.end(), videos.begin(), videos.end());
      const auto n = static_cast<int64_t>(videos.size());
      const torch::Tensor item =
          torch::tensor(videos, torch::kFloat32).view({n, 1, 1}) * 1000 + 100000.0 * epoch;
      const torch::Tensor frame = torch::arange(kVideoFrames, torch::kFloat32).view({1, kVideoFrames, 1});
      return (item + frame).expand({n, kVideoFrames, kEmbeddingSize}).contiguous();
    };
    return embed;
  }
};

TEST(TrainJobData, PixelViewsRenewEveryTrainingRowOfTheVideoExperiments) {
  const LabelledEmbeddings images = numbered_images(7), videos = numbered_videos(15);
  const std::vector<int> folds = stratified_folds(videos.classes, 5, 3);
  for (const Architecture architecture :
       {Architecture::kCnnRnn, Architecture::kImageToVideo, Architecture::kVideoToImage}) {
    SCOPED_TRACE(architecture_name(architecture));
    JobData job = assemble_job_data(architecture, images, videos, folds, 0);
    RecordingEmbedders recorder;
    use_pixel_views(job, architecture, recorder.embedders());
    const torch::Tensor inputs = job.data.training_inputs_for_epoch(2).clone();
    ASSERT_EQ(inputs.sizes(), job.data.train_inputs.sizes());
    const auto image_rows = static_cast<int64_t>(job.training_images.size());
    EXPECT_EQ(image_rows, architecture == Architecture::kCnnRnn ? 0 : 7);
    for (int64_t row = 0; row < inputs.size(0); ++row) {
      const torch::Tensor input = inputs[row];
      if (row < image_rows) {
        // One fresh embedding; image_to_video repeats it over the 15 frames.
        const float value = 200000.0f + static_cast<float>(job.training_images[static_cast<size_t>(row)]);
        EXPECT_TRUE(torch::all(input == value).item<bool>()) << row;
        continue;
      }
      const float video = static_cast<float>(job.training_videos[static_cast<size_t>(row - image_rows)]);
      if (architecture == Architecture::kVideoToImage) {
        // The maximum over the fresh frames: the last one.
        EXPECT_TRUE(torch::all(input == 200000.0f + 1000 * video + 14).item<bool>()) << row;
      } else {
        for (int frame = 0; frame < kVideoFrames; ++frame) {
          EXPECT_TRUE(torch::all(input[frame] == 200000.0f + 1000 * video + frame).item<bool>()) << row;
        }
      }
    }
    EXPECT_EQ(recorder.images_asked, job.training_images);
    EXPECT_EQ(recorder.videos_asked, job.training_videos);

    // A data-parallel rank's share: only its rows are embedded and written.
    recorder.images_asked.clear();
    recorder.videos_asked.clear();
    const std::vector<std::int64_t> share{image_rows + 1, 0, image_rows + 3};
    const torch::Tensor shared = job.data.training_rows_for_epoch(3, share).clone();
    std::vector<std::int64_t> images_wanted, videos_wanted;
    for (const std::int64_t row : share) {
      if (row < image_rows) images_wanted.push_back(job.training_images[static_cast<size_t>(row)]);
      if (row >= image_rows)
        videos_wanted.push_back(job.training_videos[static_cast<size_t>(row - image_rows)]);
    }
    EXPECT_EQ(recorder.images_asked, images_wanted);
    EXPECT_EQ(recorder.videos_asked, videos_wanted);
    for (const std::int64_t row : share) {
      const torch::Tensor expected = job.data.training_inputs_for_epoch(3)[row];
      EXPECT_TRUE(torch::equal(shared[row], expected)) << row;
    }
  }
}

TEST(TrainJobData, PixelViewsNeedAnEmbedderForEveryMediumTrainedOn) {
  const LabelledEmbeddings images = numbered_images(7), videos = numbered_videos(15);
  const std::vector<int> folds = stratified_folds(videos.classes, 5, 3);
  RecordingEmbedders recorder;
  PixelEmbedders images_only = recorder.embedders();
  images_only.videos = nullptr;
  JobData cnn_rnn = assemble_job_data(Architecture::kCnnRnn, images, videos, folds, 0);
  EXPECT_THROW(use_pixel_views(cnn_rnn, Architecture::kCnnRnn, images_only), ConfigError);
  JobData to_video = assemble_job_data(Architecture::kImageToVideo, images, videos, folds, 0);
  EXPECT_THROW(use_pixel_views(to_video, Architecture::kImageToVideo, images_only), ConfigError);
  // An embedder answering in the wrong shape is an error naming both shapes.
  PixelEmbedders flat = recorder.embedders();
  flat.videos = [](int, const std::vector<std::int64_t>& videos) {
    return torch::zeros({static_cast<int64_t>(videos.size()), kEmbeddingSize});
  };
  use_pixel_views(cnn_rnn, Architecture::kCnnRnn, flat);
  EXPECT_THROW(cnn_rnn.data.training_inputs_for_epoch(1), Error);
}

TEST(TrainJobData, RejectsMismatchedFolds) {
  const LabelledEmbeddings images = numbered_images(10);
  EXPECT_THROW(assemble_job_data(Architecture::kImage, images, {}, std::vector<int>(9, 0), 0), Error);
  EXPECT_THROW(assemble_job_data(Architecture::kCnnRnn, images, images, std::vector<int>(10, 0), 0), Error);
}

}  // namespace
}  // namespace popsweep::train
