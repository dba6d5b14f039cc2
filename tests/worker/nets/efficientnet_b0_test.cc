// EfficientNet-B0 as torchvision builds it (M13): the same parameter count,
// the same state-dict names and shapes, the outputs M7/M11/M20 use, and
// seeded random weights that are reproducible.
#include "worker/nets/efficientnet_b0.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <map>
#include <sstream>

#include "tests/support/skip_or_fail.h"
#include "tests/worker/nets/python_fixture.h"
#include "worker/nets/efficientnet_b0_weights.h"
#include "worker/nets/tensor_conversion.h"

namespace popsweep::nets {
namespace {

std::string shape_of(const torch::Tensor& tensor) { return describe_shape(tensor.sizes().vec()); }

TEST(NetsEfficientNetB0, HasTorchvisionsParameterCountAndNames) {
  EfficientNetB0 model;
  std::int64_t parameters = 0;
  for (const torch::Tensor& parameter : model->parameters()) parameters += parameter.numel();
  EXPECT_EQ(parameters, 5'288'548);  // torchvision.models.efficientnet_b0(), 1000 classes

  std::map<std::string, std::string> shapes;
  for (const auto& item : model->named_parameters()) shapes[item.key()] = shape_of(item.value());
  for (const auto& item : model->named_buffers()) shapes[item.key()] = shape_of(item.value());
  EXPECT_EQ(shapes.size(), 360u);
  EXPECT_EQ(shapes["features.0.0.weight"], "[32, 3, 3, 3]");
  EXPECT_EQ(shapes["features.1.0.block.0.0.weight"], "[32, 1, 3, 3]");
  EXPECT_EQ(shapes["features.1.0.block.1.fc1.weight"], "[8, 32, 1, 1]");
  EXPECT_EQ(shapes["features.2.0.block.0.0.weight"], "[96, 16, 1, 1]");
  EXPECT_EQ(shapes["features.6.3.block.3.1.running_var"], "[192]");
  EXPECT_EQ(shapes["features.8.1.num_batches_tracked"], "[]");
  EXPECT_EQ(shapes["classifier.1.weight"], "[1000, 1280]");
}

TEST(NetsEfficientNetB0, StateDictEqualsTorchvisionsKeyForKey) {
  if (!testing::python_has_torch()) POPSWEEP_SKIP_OR_FAIL("/usr/bin/python3 has no torch");
  popsweep::testing::TempDir dir;
  std::string output;
  ASSERT_TRUE(testing::run_python(dir, R"(
import torchvision
for name, tensor in torchvision.models.efficientnet_b0().state_dict().items():
    print(name, list(tensor.shape))
)",
                                  &output))
      << output;
  std::ostringstream ours;
  EfficientNetB0 model;
  // torch's state_dict() lists each module's parameters, then its buffers.
  for (const auto& module : model->named_modules("", false)) {
    for (const auto& item : module.value()->named_parameters(false)) {
      ours << module.key() << "." << item.key() << " " << shape_of(item.value()) << "\n";
    }
    for (const auto& item : module.value()->named_buffers(false)) {
      ours << module.key() << "." << item.key() << " " << shape_of(item.value()) << "\n";
    }
  }
  EXPECT_EQ(ours.str(), output);
}

TEST(NetsEfficientNetB0, OutputsFeatureMapEmbeddingAndLogits) {
  EfficientNetB0 model;
  model->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor images = torch::randn({2, 3, 224, 224});
  const torch::Tensor feature_map = model->feature_map(images);
  EXPECT_EQ(shape_of(feature_map), "[2, 1280, 7, 7]");
  EXPECT_TRUE(torch::allclose(model->embed(images), feature_map.mean({2, 3})));
  EXPECT_EQ(shape_of(model->forward(images)), "[2, 1000]");
}

TEST(NetsEfficientNetB0, RandomWeightsDependOnlyOnTheSeed) {
  const auto weights_of = [](std::uint64_t seed) {
    EfficientNetB0 model;
    initialise_randomly(*model, seed);
    return torch::cat({model->stem->conv->weight.flatten(), model->head->conv->weight.flatten(),
                       model->classifier->weight.flatten()});
  };
  torch::manual_seed(1);  // the global generator must not matter
  const torch::Tensor first = weights_of(42);
  torch::manual_seed(2);
  EXPECT_TRUE(torch::equal(first, weights_of(42)));
  EXPECT_FALSE(torch::equal(first, weights_of(43)));
  // torchvision's kaiming-normal fan-out for the stem: std sqrt(2 / (32*3*3)).
  EfficientNetB0 model;
  initialise_randomly(*model, 7);
  EXPECT_NEAR(model->stem->conv->weight.std().item<double>(), std::sqrt(2.0 / 288), 0.02);
}

}  // namespace
}  // namespace popsweep::nets
