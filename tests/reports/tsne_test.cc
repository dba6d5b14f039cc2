// t-SNE checked against scikit-learn (python3-sklearn): on the same data,
// popsweep's map must preserve neighbourhoods about as well as sklearn's
// TSNE, measured by sklearn.manifold.trustworthiness.
#include "reports/tsne.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <fstream>

#include "tests/support/temp_dir.h"

namespace popsweep::reports {
namespace {

void write_matrix(const std::string& path, const torch::Tensor& m) {
  std::ofstream out(path);
  const torch::Tensor c = m.to(torch::kFloat64).contiguous();
  const auto a = c.accessor<double, 2>();
  for (int64_t i = 0; i < c.size(0); ++i) {
    for (int64_t j = 0; j < c.size(1); ++j) out << (j ? "," : "") << a[i][j];
    out << "\n";
  }
}

TEST(Tsne, TrustworthinessMatchesSklearn) {
  // Four Gaussian clusters in 20 dimensions.
  at::Generator generator = at::detail::createCPUGenerator(3);
  torch::Tensor centres = torch::empty({4, 20}, torch::kFloat64).normal_(0, 6, generator);
  torch::Tensor points = torch::empty({240, 20}, torch::kFloat64).normal_(0, 1, generator);
  points += centres.repeat_interleave(60, 0);
  TsneSettings settings;
  settings.seed = 5;
  const torch::Tensor map = tsne_embed(points, settings);
  ASSERT_EQ(map.size(0), 240);
  ASSERT_EQ(map.size(1), 2);
  EXPECT_TRUE(torch::isfinite(map).all().item<bool>());

  testing::TempDir dir;
  write_matrix(dir.file("x.csv"), points);
  write_matrix(dir.file("y.csv"), map);
  std::string output;
  const int code = testing::run_command(
      "/usr/bin/python3 -c \"import numpy as np; from sklearn.manifold import TSNE, trustworthiness;"
      "x=np.loadtxt('" + dir.file("x.csv") + "',delimiter=',');y=np.loadtxt('" + dir.file("y.csv") +
      "',delimiter=',');"
      "r=TSNE(n_components=2,perplexity=30,init='random',learning_rate='auto',random_state=0).fit_transform(x);"
      "print(trustworthiness(x,y,n_neighbors=10), trustworthiness(x,r,n_neighbors=10))\"",
      &output);
  ASSERT_EQ(code, 0) << output;
  double ours = 0, theirs = 0;
  ASSERT_EQ(std::sscanf(output.c_str(), "%lf %lf", &ours, &theirs), 2) << output;
  EXPECT_GT(ours, theirs - 0.02) << "popsweep " << ours << " vs sklearn " << theirs;
  EXPECT_GT(ours, 0.9);
}

TEST(Tsne, UnusualRegionsFindTheHighCluster) {
  // Left half labelled 0, a tight right cluster labelled 1.
  std::vector<double> coords;
  std::vector<int> labels;
  for (int i = 0; i < 100; ++i) {
    coords.push_back(i % 10);
    coords.push_back(i / 10);
    labels.push_back(0);
  }
  for (int i = 0; i < 30; ++i) {
    coords.push_back(20 + (i % 5) * 0.1);
    coords.push_back(5 + (i / 5) * 0.1);
    labels.push_back(1);
  }
  const torch::Tensor map = torch::tensor(coords, torch::kFloat64).view({-1, 2});
  const std::vector<MapRegion> regions = unusual_regions(map, labels, 8, 8, 2.5);
  ASSERT_FALSE(regions.empty());
  for (const MapRegion& region : regions) {
    if (region.mean_label > 0.5) {
      EXPECT_GT(region.x0, 15);
    }
  }
  EXPECT_GT(regions.back().mean_label, 0.9);
}

}  // namespace
}  // namespace popsweep::reports
