// Training-stage benchmark (M18): paper-size jobs of every experiment on
// random embeddings, 15 epochs each, timed. The sizes are the paper's cleaned
// data (1469 images, 556 videos) split 4:1 by the 5 folds.
//
//   build/bench/popsweep_bench_train [THREADS] [REPEATS]
//
// Prints one row per job: the median of REPEATS runs (default 3) in seconds.
// Compare with bench/python/train_jobs.py, the same heads and loop in Python.
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "worker/train/heads.h"
#include "worker/train/trainer.h"

namespace {

using popsweep::train::Architecture;

popsweep::train::TrainingData random_embeddings(int64_t train, int64_t validation, bool sequences, at::Generator& g) {
  popsweep::train::TrainingData data;
  std::vector<int64_t> shape = {train};
  if (sequences) shape.push_back(popsweep::train::kVideoFrames);
  shape.push_back(popsweep::train::kEmbeddingSize);
  data.train_inputs = torch::empty(shape).normal_(0, 1, g);
  shape[0] = validation;
  data.validation_inputs = torch::empty(shape).normal_(0, 1, g);
  for (int64_t i = 0; i < train; ++i) data.train_classes.push_back(static_cast<int>(i % 3));
  for (int64_t i = 0; i < validation; ++i) data.validation_classes.push_back(static_cast<int>(i % 3));
  return data;
}

struct Job {
  const char* name;
  Architecture architecture;
  int64_t train, validation;
};

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 2;
  const int repeats = argc > 2 ? std::max(1, std::atoi(argv[2])) : 3;
  at::set_num_threads(threads);
  at::Generator generator = at::detail::createCPUGenerator(1);
  const Job jobs[] = {{"image (1175 train, 294 val)", Architecture::kImage, 1175, 294},
                      {"cnn_rnn (445 train, 111 val)", Architecture::kCnnRnn, 445, 111},
                      {"video_to_image (1469+445 train, 111 val)", Architecture::kVideoToImage, 1469 + 445, 111},
                      {"image_to_video (1469+445 train, 111 val)", Architecture::kImageToVideo, 1469 + 445, 111}};
  std::printf("| job | threads | median s (15 epochs, %d runs) |\n|---|---|---|\n", repeats);
  for (const Job& job : jobs) {
    auto data = random_embeddings(job.train, job.validation, popsweep::train::takes_sequences(job.architecture),
                                  generator);
    if (job.architecture == Architecture::kImageToVideo) {
      // M16: the 1469 images enter as static 15-frame sequences, as in the real job.
      data.train_inputs.narrow(0, 0, 1469).copy_(
          popsweep::train::static_sequences(data.train_inputs.narrow(0, 0, 1469).select(1, 0).clone(),
                                            popsweep::train::kVideoFrames));
    }
    std::vector<double> seconds;
    for (int run = 0; run < repeats; ++run) {
      const auto start = std::chrono::steady_clock::now();
      popsweep::train::train(job.architecture, 3, data, popsweep::train::TrainSettings{}, 1);
      seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    }
    std::sort(seconds.begin(), seconds.end());
    std::printf("| %s | %d | %.2f |\n", job.name, at::get_num_threads(), seconds[seconds.size() / 2]);
  }
  return 0;
}
