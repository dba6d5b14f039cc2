// Strict state-dict loading (M13): exactly the module's tensors, with its
// shapes, or an error naming every missing, unexpected and mis-shaped one.
#include "worker/nets/state_dict_loader.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "common/error.h"
#include "worker/nets/efficientnet_b0.h"
#include "worker/nets/tensor_conversion.h"

namespace popsweep::nets {
namespace {

// A conv + batch norm unit: names 0.weight, 1.weight, 1.bias, 1.running_mean,
// 1.running_var, 1.num_batches_tracked.
ConvBatchNorm make_unit() { return ConvBatchNorm(3, 4, 3, 1, 1, true); }

std::vector<NamedTensorRecord> random_state(std::uint64_t seed) {
  torch::manual_seed(seed);
  ConvBatchNorm unit = make_unit();
  torch::NoGradGuard no_grad;
  unit->batch_norm->running_mean.normal_();
  unit->batch_norm->running_var.uniform_(0.5, 2.0);
  unit->batch_norm->num_batches_tracked.fill_(11);
  return state_dict_records(*unit);
}

std::vector<NamedTensorRecord> without(std::vector<NamedTensorRecord> tensors, const std::string& name) {
  tensors.erase(std::remove_if(tensors.begin(), tensors.end(), [&](const auto& t) { return t.name == name; }),
                tensors.end());
  return tensors;
}

std::string error_of(const std::vector<NamedTensorRecord>& tensors) {
  ConvBatchNorm unit = make_unit();
  try {
    load_state_dict(*unit, tensors, "weights.pth");
  } catch (const InputError& error) {
    return error.what();
  }
  return "no error";
}

TEST(NetsStateDictLoader, CopiesEveryParameterAndBuffer) {
  const std::vector<NamedTensorRecord> state = random_state(1);
  ConvBatchNorm unit = make_unit();
  load_state_dict(*unit, state, "weights.pth");
  for (const NamedTensorRecord& named : state_dict_records(*unit)) {
    const auto expected =
        std::find_if(state.begin(), state.end(), [&](const auto& t) { return t.name == named.name; });
    ASSERT_NE(expected, state.end()) << named.name;
    EXPECT_TRUE(torch::equal(to_torch(named.tensor), to_torch(expected->tensor))) << named.name;
  }
  EXPECT_EQ(unit->batch_norm->num_batches_tracked.item<std::int64_t>(), 11);
}

TEST(NetsStateDictLoader, NamesMissingUnexpectedAndMisShapedTensors) {
  const std::vector<NamedTensorRecord> state = random_state(2);
  const std::string missing = error_of(without(state, "1.running_var"));
  EXPECT_NE(missing.find("1 missing tensors: '1.running_var'"), std::string::npos) << missing;

  std::vector<NamedTensorRecord> extra = state;
  extra.push_back({"1.extra", to_record(torch::zeros({2}))});
  const std::string unexpected = error_of(extra);
  EXPECT_NE(unexpected.find("unexpected tensors: '1.extra'"), std::string::npos) << unexpected;

  std::vector<NamedTensorRecord> wrong = state;
  wrong[0].tensor = to_record(torch::zeros({4, 3, 5, 5}));
  const std::string mis_shaped = error_of(wrong);
  EXPECT_NE(mis_shaped.find("'0.weight' is float32 [4, 3, 5, 5], expected float32 [4, 3, 3, 3]"),
            std::string::npos)
      << mis_shaped;
  EXPECT_EQ(mis_shaped.find("missing"), std::string::npos) << "a mis-shaped tensor is not also missing";
}

TEST(NetsStateDictLoader, BatchCountersAreOptional) {
  EXPECT_EQ(error_of(without(random_state(3), "1.num_batches_tracked")), "no error");
}

TEST(NetsStateDictLoader, ConvertsFloatTypesButNeverMixesIntegersAndFloats) {
  std::vector<NamedTensorRecord> state = random_state(4);
  const torch::Tensor weight = to_torch(state[0].tensor);
  state[0].tensor = to_record(weight.to(torch::kFloat16));
  ConvBatchNorm unit = make_unit();
  load_state_dict(*unit, state, "weights.pth");
  EXPECT_TRUE(torch::allclose(unit->conv->weight, weight, 1e-3, 1e-3));

  state[0].tensor = to_record(weight.to(torch::kInt64));
  EXPECT_NE(error_of(state).find("'0.weight' is int64"), std::string::npos);
}

}  // namespace
}  // namespace popsweep::nets
