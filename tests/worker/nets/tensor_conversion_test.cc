// TensorRecord <-> torch::Tensor keeps values, shapes and element types,
// whatever the source tensor's layout.
#include "worker/nets/tensor_conversion.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "common/error.h"

namespace popsweep::nets {
namespace {

TEST(NetsTensorConversion, RoundTripsViewsAndTypes) {
  const torch::Tensor transposed = torch::arange(12, torch::kFloat32).reshape({3, 4}).t();
  const TensorRecord record = to_record(transposed);
  EXPECT_EQ(record.shape, (std::vector<std::int64_t>{4, 3}));
  EXPECT_EQ(record.strides, (std::vector<std::int64_t>{3, 1}));
  EXPECT_TRUE(torch::equal(to_torch(record), transposed));

  for (const auto type : {torch::kFloat16, torch::kBFloat16, torch::kFloat64, torch::kInt64, torch::kInt32,
                          torch::kUInt8, torch::kBool}) {
    const torch::Tensor tensor = torch::arange(5).to(type);
    const torch::Tensor back = to_torch(to_record(tensor));
    EXPECT_EQ(back.scalar_type(), type);
    EXPECT_TRUE(torch::equal(back, tensor)) << c10::toString(type);
  }
  const torch::Tensor scalar = torch::tensor(7, torch::kInt64);
  EXPECT_EQ(to_torch(to_record(scalar)).dim(), 0);
  EXPECT_THROW(to_record(torch::zeros({2}, torch::kComplexFloat)), Error);
}

TEST(NetsTensorConversion, ReadsAStridedViewIntoItsStorage) {
  TensorRecord view;
  view.type = ElementType::kFloat32;
  view.shape = {2, 2};
  view.strides = {1, 2};
  view.storage_offset = 1;
  view.storage = to_record(torch::arange(6, torch::kFloat32)).storage;
  EXPECT_TRUE(torch::equal(to_torch(view), torch::tensor({{1.f, 3.f}, {2.f, 4.f}})));
  view.storage_offset = 3;  // now reaches element 6 of 6
  EXPECT_THROW(to_torch(view), Error);
}

}  // namespace
}  // namespace popsweep::nets
