// Data-parallel training (issue 20): two ranks in one process (threads, a
// real TCPStore and Gloo process group on 127.0.0.1) train the same job as
// one rank, and must give the one-rank numbers: the same predictions,
// accuracies within 1e-6 and losses within 1e-5. They are not bit-identical:
// the batch gradient is summed in another order (each rank's share, then
// the two shares), which moves the weights by float32 rounding (~1e-7
// relative) per step, and Adam carries that through the epochs.
#include "worker/train/process_group.h"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <future>
#include <mutex>
#include <set>

#include "common/error.h"
#include "tests/worker/train/finetune_fixture.h"
#include "worker/train/trainer.h"

namespace popsweep::train {
namespace {

// Forms a gang of `size` ranks on threads of this process and runs `body`
// on each; rank 0's port reaches the others as the coordinator would pass it.
template <typename Result>
std::vector<Result> on_gang(int size, const std::function<Result(Collective&)>& body,
                            std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  std::promise<std::uint16_t> port;
  std::shared_future<std::uint16_t> announced = port.get_future().share();
  std::vector<std::future<Result>> ranks;
  for (int rank = 0; rank < size; ++rank) {
    ranks.push_back(std::async(std::launch::async, [&, rank] {
      GangMembership membership;
      membership.rank = rank;
      membership.size = size;
      membership.timeout = timeout;
      if (rank > 0) membership.port = announced.get();
      std::unique_ptr<Collective> gang =
          join_gang(membership, [&](std::uint16_t chosen) { port.set_value(chosen); });
      return body(*gang);
    }));
  }
  std::vector<Result> results;
  for (auto& rank : ranks) results.push_back(rank.get());
  return results;
}

TEST(ProcessGroup, SumsOverTheRanksWithAPortTheSystemChose) {
  const std::vector<double> sums = on_gang<double>(2, [](Collective& gang) {
    torch::Tensor value = torch::full({3}, gang.rank() + 1.0, torch::kFloat64);
    gang.all_reduce_sum(value);
    EXPECT_TRUE(gang.any(gang.rank() == 1));  // one rank's true is every rank's
    EXPECT_FALSE(gang.any(false));
    return value[2].item<double>();
  });
  EXPECT_EQ(sums, (std::vector<double>{3.0, 3.0}));  // 1 + 2 on both ranks
}

TEST(ProcessGroup, AMissingRankEndsInAnErrorAfterTheTimeout) {
  GangMembership membership;
  membership.rank = 0;
  membership.size = 2;
  membership.timeout = std::chrono::milliseconds(1500);
  try {
    join_gang(membership, [](std::uint16_t) {});
    FAIL() << "a gang formed without its second rank";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("gang rank 0 of 2"), std::string::npos) << error.what();
  }
}

TEST(ProcessGroup, ARankThatLeavesMidCollectiveFailsTheOther) {
  // Rank 1 leaves (its group destroyed, as when its process dies) instead of
  // joining the second all-reduce: rank 0's all-reduce throws, within the
  // timeout, instead of waiting for ever.
  const std::vector<std::string> outcomes = on_gang<std::string>(
      2,
      [](Collective& gang) -> std::string {
        torch::Tensor value = torch::ones({1}, torch::kFloat64);
        gang.all_reduce_sum(value);
        if (gang.rank() == 1) return "left";
        try {
          gang.all_reduce_sum(value);
          return "finished";
        } catch (const Error& error) {
          return error.what();
        }
      },
      std::chrono::seconds(3));
  EXPECT_EQ(outcomes[1], "left");
  EXPECT_NE(outcomes[0].find("all-reduce on gang rank 0 of 2 failed"), std::string::npos) << outcomes[0];
}

TEST(ProcessGroup, GangsWithoutNcclRefuseIt) {
  GangMembership membership;
  membership.backend = "nccl";
  membership.device = "cpu";
  EXPECT_THROW(collective_backend_for(membership), ConfigError);
  membership.backend = "auto";
  EXPECT_EQ(collective_backend_for(membership), "gloo");
  membership.backend = "mpi";
  EXPECT_THROW(collective_backend_for(membership), ConfigError);
}

// Items of class c near pattern c, with noise wide enough that the head is
// still learning after a few epochs (so the comparison is not of two
// saturated runs).
TrainingData noisy_set(Architecture architecture, int items, int classes, std::uint64_t seed) {
  at::Generator generator = at::detail::createCPUGenerator(seed);
  const torch::Tensor patterns = torch::empty({classes, kEmbeddingSize}).normal_(0, 0.05, generator);
  std::vector<int> labels;
  for (int i = 0; i < items; ++i) labels.push_back((i * 7 + i / 3) % classes);
  const torch::Tensor rows =
      patterns.index_select(0, torch::tensor(std::vector<int64_t>(labels.begin(), labels.end())));
  torch::Tensor inputs = rows + torch::empty({items, kEmbeddingSize}).normal_(0, 1, generator);
  if (takes_sequences(architecture)) {
    inputs = inputs.unsqueeze(1).expand({items, kVideoFrames, kEmbeddingSize}) +
             torch::empty({items, kVideoFrames, kEmbeddingSize}).normal_(0, 0.3, generator);
  }
  const int validation = items / 4;
  TrainingData data;
  data.train_inputs = inputs.narrow(0, 0, items - validation);
  data.train_classes.assign(labels.begin(), labels.end() - validation);
  data.validation_inputs = inputs.narrow(0, items - validation, validation);
  data.validation_classes.assign(labels.end() - validation, labels.end());
  return data;
}

void expect_matches_one_rank(const TrainOutcome& one, const TrainOutcome& gang, const std::string& what) {
  ASSERT_EQ(one.history.size(), gang.history.size()) << what;
  double loss_gap = 0, accuracy_gap = 0;
  for (size_t e = 0; e < one.history.size(); ++e) {
    const EpochMetrics &a = one.history[e], &b = gang.history[e];
    loss_gap = std::max(
        {loss_gap, std::abs(a.train_loss - b.train_loss), std::abs(a.validation_loss - b.validation_loss)});
    accuracy_gap = std::max({accuracy_gap, std::abs(a.train_accuracy - b.train_accuracy),
                             std::abs(a.validation_accuracy - b.validation_accuracy)});
  }
  std::printf("%s: largest loss difference %.3g, largest accuracy difference %.3g over %zu epochs\n",
              what.c_str(), loss_gap, accuracy_gap, one.history.size());
  EXPECT_LE(loss_gap, 1e-5) << what;
  EXPECT_LE(accuracy_gap, 1e-6) << what;
  EXPECT_EQ(one.best_epoch, gang.best_epoch) << what;
  EXPECT_EQ(one.best_predicted, gang.best_predicted) << what;
  EXPECT_EQ(one.last_predicted, gang.last_predicted) << what;
  // The run learned something, so agreeing is not trivial.
  EXPECT_LT(one.history.back().train_loss, one.history.front().train_loss) << what;
}

TEST(DataParallelTraining, TwoRanksMatchOneRank) {
  // 2-D heads on 75 training items in batches of 8: the last batch has 3
  // rows (1 and 2 per rank); the sequence head on 48 in batches of 16. With
  // dropout, so the ranks must cut their rows of the batch's masks.
  struct Case {
    Architecture architecture;
    int items, classes, batch;
  };
  for (const Case c : {Case{Architecture::kImage, 100, 2, 8}, Case{Architecture::kVideoToImage, 100, 3, 8},
                       Case{Architecture::kCnnRnn, 64, 2, 16}}) {
    const TrainingData data = noisy_set(c.architecture, c.items, c.classes, 11);
    TrainSettings settings;
    settings.epochs = 4;
    settings.batch_size = c.batch;
    settings.adam.learning_rate = 0.003;
    const TrainOutcome one = train(c.architecture, c.classes, data, settings, 21);
    const std::vector<TrainOutcome> gang = on_gang<TrainOutcome>(2, [&](Collective& collective) {
      TrainSettings mine = settings;
      mine.collective = &collective;
      return train(c.architecture, c.classes, data, mine, 21);
    });
    const std::string what = architecture_name(c.architecture) + " on 2 ranks";
    expect_matches_one_rank(one, gang[0], what);
    // Every rank took the same steps: their weights are bit-identical.
    EXPECT_EQ(gang[0].best_weights, gang[1].best_weights) << what;
  }
}

TEST(DataParallelTraining, ALastBatchSmallerThanTheGangLeavesARankWithoutRows) {
  // 9 training items in batches of 4 on 3 ranks: the last batch's single row
  // goes to rank 2; ranks 0 and 1 still draw its masks and join its sum
  // (the sequence head too: a pixels-mode video job of few videos).
  for (const Architecture architecture : {Architecture::kImage, Architecture::kCnnRnn}) {
    TrainingData data = noisy_set(architecture, 12, 2, 5);
    TrainSettings settings;
    settings.epochs = 3;
    settings.batch_size = 4;
    const TrainOutcome one = train(architecture, 2, data, settings, 3);
    const std::vector<TrainOutcome> gang = on_gang<TrainOutcome>(3, [&](Collective& collective) {
      TrainSettings mine = settings;
      mine.collective = &collective;
      return train(architecture, 2, data, mine, 3);
    });
    expect_matches_one_rank(one, gang[2], architecture_name(architecture) + " on 3 ranks, 9 items");
  }
}

TEST(DataParallelTraining, EachRankAsksForItsShareOfTheEpochsRowsOnly) {
  // A pixels-mode sampler is asked for rows: the ranks' requests of one
  // epoch are disjoint and together cover every training row once.
  TrainingData data = noisy_set(Architecture::kImage, 40, 2, 9);
  const torch::Tensor base = data.train_inputs.clone();
  std::mutex mutex;
  std::map<std::pair<int, int>, std::vector<std::int64_t>> asked;  // (epoch, thread's first row) -> rows
  data.training_inputs_for_epoch = [base](int) { return base; };
  TrainSettings settings;
  settings.epochs = 2;
  settings.batch_size = 6;
  const std::vector<int> done = on_gang<int>(2, [&](Collective& collective) {
    TrainingData mine = data;
    mine.training_rows_for_epoch = [&, rank = collective.rank()](int epoch,
                                                                 const std::vector<std::int64_t>& rows) {
      std::lock_guard<std::mutex> lock(mutex);
      asked[{epoch, rank}] = rows;
      return base;
    };
    TrainSettings with_gang = settings;
    with_gang.collective = &collective;
    train(Architecture::kImage, 2, mine, with_gang, 4);
    return collective.rank();
  });
  for (const int epoch : {1, 2}) {
    const std::vector<std::int64_t>&zero = asked.at({epoch, 0}), &one = asked.at({epoch, 1});
    std::multiset<std::int64_t> together(zero.begin(), zero.end());
    together.insert(one.begin(), one.end());
    EXPECT_EQ(together.size(), 30u) << "epoch " << epoch;
    EXPECT_EQ(std::set<std::int64_t>(together.begin(), together.end()).size(), 30u) << "epoch " << epoch;
    EXPECT_EQ(zero.size(), 15u);  // 5 batches of 6, 3 rows each
  }
}

TEST(DataParallelTraining, FineTuningOnTwoRanksMatchesOneRank) {
  // train.finetune_blocks 2 (finetune_fixture.h): the tail's blocks and the
  // head trained together; 36 training items in batches of 8 (a last batch
  // of 4). The tail runs on each rank's share of a batch, so besides the
  // order of the gradient sum, oneDNN's convolutions see 4 rows where one
  // rank sees 8.
  const FinetuneJob job = small_finetune_job(48, 12, 6);
  const TrainSettings settings = finetune_settings(job, 3, 8);
  const TrainOutcome one = train(Architecture::kImage, 2, job.data, settings, 5);
  const std::vector<TrainOutcome> gang = on_gang<TrainOutcome>(2, [&](Collective& collective) {
    TrainSettings mine = settings;
    mine.collective = &collective;
    return train(Architecture::kImage, 2, job.data, mine, 5);
  });
  expect_matches_one_rank(one, gang[0], "fine-tuning 2 blocks on 2 ranks");
  EXPECT_EQ(gang[0].best_weights, gang[1].best_weights);
}

}  // namespace
}  // namespace popsweep::train
