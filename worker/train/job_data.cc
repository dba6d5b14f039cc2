#include "worker/train/job_data.h"

#include <torch/torch.h>

#include <random>
#include <string>

#include "common/error.h"
#include "worker/train/folds.h"
#include "worker/train/heads.h"
#include "worker/train/seeds.h"

namespace popsweep::train {
namespace {

torch::Tensor rows_of(const torch::Tensor& embeddings, const std::vector<std::int64_t>& rows) {
  return embeddings.index_select(0, torch::tensor(rows, torch::kLong));
}

std::vector<int> classes_of(const std::vector<int>& classes, const std::vector<std::int64_t>& rows) {
  std::vector<int> selected;
  selected.reserve(rows.size());
  for (const std::int64_t row : rows) selected.push_back(classes[static_cast<size_t>(row)]);
  return selected;
}

void check_medium(const LabelledEmbeddings& medium, int64_t dims, const char* what) {
  if (!medium.embeddings.defined() || medium.embeddings.dim() != dims ||
      medium.embeddings.size(0) != static_cast<int64_t>(medium.classes.size())) {
    throw Error(std::string("job data: ") + what + " need " + std::to_string(medium.classes.size()) +
                (dims == 3 ? " sequences [N, frames, features]" : " embeddings [N, features]") + ", got " +
                (medium.embeddings.defined() ? c10::str(medium.embeddings.sizes()) : std::string("nothing")));
  }
}

}  // namespace

JobData assemble_job_data(Architecture architecture, const LabelledEmbeddings& images,
                          const LabelledEmbeddings& videos, const std::vector<int>& fold_of_item, int fold) {
  const bool image_only = architecture == Architecture::kImage;
  const LabelledEmbeddings& folded = image_only ? images : videos;
  if (fold_of_item.size() != folded.classes.size()) {
    throw Error("job data: " + std::to_string(fold_of_item.size()) + " fold assignments for " +
                std::to_string(folded.classes.size()) + " items");
  }
  std::vector<std::int64_t> every_image;
  if (!image_only && images.embeddings.defined()) {
    for (int64_t i = 0; i < images.embeddings.size(0); ++i) every_image.push_back(i);
  }
  return assemble_job_data(architecture, images, videos,
                           FoldMembers{items_in_fold(fold_of_item, fold), items_outside_fold(fold_of_item, fold)},
                           every_image);
}

JobData assemble_job_data(Architecture architecture, const LabelledEmbeddings& images,
                          const LabelledEmbeddings& videos, const FoldMembers& members,
                          const std::vector<std::int64_t>& extra_images) {
  const bool image_only = architecture == Architecture::kImage;
  const LabelledEmbeddings& folded = image_only ? images : videos;
  check_medium(folded, image_only ? 2 : 3, image_only ? "images" : "videos");
  const auto item_count = static_cast<std::int64_t>(folded.classes.size());
  for (const std::vector<std::int64_t>* list : {&members.validation, &members.training}) {
    for (const std::int64_t item : *list) {
      if (item < 0 || item >= item_count) {
        throw Error("job data: item " + std::to_string(item) + " of " + std::to_string(item_count));
      }
    }
  }
  JobData job;
  job.validation_items = members.validation;
  const std::vector<std::int64_t>& training_rows = members.training;
  TrainingData& data = job.data;
  data.validation_classes = classes_of(folded.classes, job.validation_items);
  if (image_only) {
    job.training_images = training_rows;
    data.train_inputs = rows_of(images.embeddings, training_rows);
    data.train_classes = classes_of(images.classes, training_rows);
    data.validation_inputs = rows_of(images.embeddings, job.validation_items);
    return job;
  }
  if (architecture == Architecture::kCnnRnn) {
    job.training_videos = training_rows;
    data.train_inputs = rows_of(videos.embeddings, training_rows);
    data.train_classes = classes_of(videos.classes, training_rows);
    data.validation_inputs = rows_of(videos.embeddings, job.validation_items);
    return job;
  }
  check_medium(images, 2, "images");
  job.training_images = extra_images;
  job.training_videos = training_rows;
  const torch::Tensor training_images = rows_of(images.embeddings, extra_images);
  data.train_classes = classes_of(images.classes, extra_images);
  const std::vector<int> video_classes = classes_of(videos.classes, training_rows);
  data.train_classes.insert(data.train_classes.end(), video_classes.begin(), video_classes.end());
  const torch::Tensor training_videos = rows_of(videos.embeddings, training_rows);
  const torch::Tensor validation_videos = rows_of(videos.embeddings, job.validation_items);
  if (architecture == Architecture::kVideoToImage) {
    data.train_inputs = torch::cat({training_images, maximum_over_frames(training_videos)});
    data.validation_inputs = maximum_over_frames(validation_videos);
  } else {
    data.train_inputs = torch::cat({static_sequences(training_images, static_cast<int>(videos.embeddings.size(1))),
                                    training_videos});
    data.validation_inputs = validation_videos;
  }
  return job;
}

void use_augmented_views(JobData& job, Architecture architecture, const torch::Tensor& image_views,
                         std::uint64_t seed) {
  if (takes_sequences(architecture)) {
    throw ConfigError("augmented views apply to image inputs only, not to " + architecture_name(architecture));
  }
  if (image_views.dim() != 3 || image_views.size(1) < 1 || image_views.size(2) != job.data.train_inputs.size(1)) {
    throw Error("augmented views: expected [images, views, features], got " + c10::str(image_views.sizes()));
  }
  const int64_t views = image_views.size(1);
  const torch::Tensor flat_views = image_views.to(torch::kFloat32).reshape({-1, image_views.size(2)}).contiguous();
  const std::vector<std::int64_t> images = job.training_images;
  for (const std::int64_t image : images) {
    if (image < 0 || image >= image_views.size(0)) throw Error("augmented views: no views for image " + std::to_string(image));
  }
  const auto image_rows = static_cast<int64_t>(images.size());
  // The buffer starts as the un-augmented inputs, so rows after the images
  // (videos) are right from the start and never rewritten.
  const torch::Tensor buffer = job.data.train_inputs.to(torch::kFloat32).clone();
  job.data.training_inputs_for_epoch = [=](int epoch) {
    std::mt19937_64 generator(mix_seed(mix_seed(seed, std::string_view("views")), static_cast<std::uint64_t>(epoch)));
    std::vector<std::int64_t> chosen(images.size());
    for (size_t row = 0; row < images.size(); ++row) {
      chosen[row] = images[row] * views + static_cast<int64_t>(uniform_below(generator, static_cast<std::uint64_t>(views)));
    }
    torch::Tensor image_part = buffer.narrow(0, 0, image_rows);
    torch::index_select_out(image_part, flat_views, 0, torch::tensor(chosen, torch::kLong));
    return buffer;
  };
}

void use_pixel_views(JobData& job, Architecture architecture, PixelEmbedders embed) {
  const std::vector<std::int64_t> images = job.training_images;
  const std::vector<std::int64_t> videos = job.training_videos;
  if (!images.empty() && !embed.images) {
    throw ConfigError("train.mode pixels: no image augmentation for the images of " +
                      architecture_name(architecture));
  }
  if (!videos.empty() && !embed.videos) {
    throw ConfigError("train.mode pixels: no frame augmentation for the videos of " +
                      architecture_name(architecture));
  }
  const bool sequences = takes_sequences(architecture);
  const auto image_rows = static_cast<int64_t>(images.size());
  const torch::Tensor buffer = job.data.train_inputs.to(torch::kFloat32).clone();
  const int64_t features = buffer.size(-1);
  const int64_t frames = sequences ? buffer.size(1) : kVideoFrames;
  const auto checked = [](const torch::Tensor& fresh, std::vector<int64_t> expected, const char* what) {
    if (!fresh.defined() || !fresh.sizes().equals(expected)) {
      throw Error(std::string("pixel views: expected ") + what + " " + c10::str(c10::IntArrayRef(expected)) +
                  ", got " + (fresh.defined() ? c10::str(fresh.sizes()) : std::string("nothing")));
    }
    return fresh.to(torch::kFloat32);
  };
  // Rows [0, image_rows) are images, the rest videos (JobData's order); only
  // the rows asked for are embedded and written.
  const auto refresh = [=](int epoch, const std::vector<std::int64_t>& rows) {
    std::vector<std::int64_t> image_rows_wanted, wanted_images, video_rows_wanted, wanted_videos;
    for (const std::int64_t row : rows) {
      if (row < image_rows) {
        image_rows_wanted.push_back(row);
        wanted_images.push_back(images[static_cast<size_t>(row)]);
      } else {
        video_rows_wanted.push_back(row);
        wanted_videos.push_back(videos[static_cast<size_t>(row - image_rows)]);
      }
    }
    if (!wanted_images.empty()) {
      const auto count = static_cast<int64_t>(wanted_images.size());
      torch::Tensor fresh =
          checked(embed.images(epoch, wanted_images), {count, features}, "image embeddings");
      if (sequences) fresh = static_sequences(fresh, static_cast<int>(frames)).contiguous();
      buffer.index_copy_(0, torch::tensor(image_rows_wanted, torch::kLong), fresh);
    }
    if (!wanted_videos.empty()) {
      const auto count = static_cast<int64_t>(wanted_videos.size());
      torch::Tensor fresh =
          checked(embed.videos(epoch, wanted_videos), {count, frames, features}, "frame sequence embeddings");
      if (!sequences) fresh = maximum_over_frames(fresh);
      buffer.index_copy_(0, torch::tensor(video_rows_wanted, torch::kLong), fresh.contiguous());
    }
    return buffer;
  };
  std::vector<std::int64_t> every_row(static_cast<size_t>(buffer.size(0)));
  for (size_t row = 0; row < every_row.size(); ++row) every_row[row] = static_cast<std::int64_t>(row);
  job.data.training_inputs_for_epoch = [refresh, every_row](int epoch) { return refresh(epoch, every_row); };
  job.data.training_rows_for_epoch = refresh;
}

}  // namespace popsweep::train
