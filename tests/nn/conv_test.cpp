// The transposed convolution on a regular convolution's kernels (nn::transposed_convolution)
// against LibTorch's own transposed convolution.
#include "aekit/nn/autocast.h"
#include "aekit/nn/conv.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace {

struct Case {
  std::vector<int64_t> in_size;
  std::vector<int64_t> out_size;
  int64_t in_channels;
  int64_t out_channels;
  int64_t batch;
};

double relative_error(const torch::Tensor& got, const torch::Tensor& want) {
  return ((got.to(torch::kFloat64) - want).norm() / want.norm()).item<double>();
}

}  // namespace

// Output and the gradients of input, weight and bias against torch's transposed convolution in
// float64, for every size step the families use (2*in - 1, 2*in, 2*in + 1), 1 and 3 channels,
// odd sizes, volumes, a batch of one: within 4x torch's own float32 error plus 1e-6.
TEST(TransposedConvolution, OutputsAndGradientsEqualTorchs) {
  const std::vector<Case> cases = {
      {{3, 3}, {7, 7}, 64, 32, 8},     {{7, 7}, {14, 14}, 32, 16, 8}, {{14, 14}, {28, 28}, 16, 1, 4},
      {{5, 4}, {9, 8}, 3, 3, 1},       {{9, 7}, {17, 15}, 8, 3, 3},   {{2, 3, 2}, {4, 5, 5}, 4, 2, 2},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::Message() << c.in_channels << "x" << c.in_size << " -> " << c.out_channels
                                      << "x" << c.out_size);
    auto layer = aekit::nn::upsample(c.in_channels, c.out_channels, c.in_size, c.out_size);
    const auto params = layer.ptr()->named_parameters();
    torch::manual_seed(3);
    std::vector<int64_t> shape{c.batch, c.in_channels};
    shape.insert(shape.end(), c.in_size.begin(), c.in_size.end());
    const torch::Tensor x = torch::randn(shape);
    ASSERT_TRUE(aekit::nn::runs_own_transposed_convolution(x));
    // aekit's layer, float32.
    const torch::Tensor x1 = x.clone().requires_grad_(true);
    const torch::Tensor y = layer.forward(x1);
    std::vector<int64_t> out_shape{c.batch, c.out_channels};
    out_shape.insert(out_shape.end(), c.out_size.begin(), c.out_size.end());
    ASSERT_EQ(y.sizes(), at::IntArrayRef(out_shape));
    const torch::Tensor dy = torch::randn(out_shape);
    y.backward(dy);
    // torch's, float32 and float64, with the same parameters.
    const auto reference = [&](torch::Dtype type, torch::Tensor* dx, torch::Tensor* dw,
                               torch::Tensor* db) {
      const torch::Tensor xr = x.to(type).requires_grad_(true);
      const torch::Tensor w = params["weight"].detach().to(type).requires_grad_(true);
      const torch::Tensor b = params["bias"].detach().to(type).requires_grad_(true);
      const std::vector<int64_t> stride(c.in_size.size(), 2);
      std::vector<int64_t> padding, extra;
      for (size_t d = 0; d < c.in_size.size(); ++d) {
        const int64_t grow = c.out_size[d] - 2 * c.in_size[d];  // -1, 0 or +1
        padding.push_back(grow == 1 ? 0 : 1);
        extra.push_back(grow == 0 ? 1 : 0);
      }
      const torch::Tensor out = c.in_size.size() == 3
                                    ? torch::conv_transpose3d(xr, w, b, stride, padding, extra)
                                    : torch::conv_transpose2d(xr, w, b, stride, padding, extra);
      out.backward(dy.to(type));
      *dx = xr.grad();
      *dw = w.grad();
      *db = b.grad();
      return out;
    };
    torch::Tensor dx64, dw64, db64, dx32, dw32, db32;
    const torch::Tensor y64 = reference(torch::kFloat64, &dx64, &dw64, &db64);
    const torch::Tensor y32 = reference(torch::kFloat32, &dx32, &dw32, &db32);
    const auto check = [](const char* what, const torch::Tensor& ours, const torch::Tensor& torch32,
                          const torch::Tensor& exact) {
      const double own = relative_error(ours, exact);
      const double theirs = relative_error(torch32, exact);
      EXPECT_LE(own, 4 * theirs + 1e-6) << what << ": " << own << " against torch's " << theirs;
    };
    check("output", y, y32, y64);
    check("input gradient", x1.grad(), dx32, dx64);
    check("weight gradient", params["weight"].grad(), dw32, dw64);
    check("bias gradient", params["bias"].grad(), db32, db64);
  }
}

// Under autocast (train.precision "bfloat16") the layer computes in bfloat16 and still gives its
// float32 parameters float32 gradients close to float32's; off the CPU fast path (float64) it is
// torch's layer, exactly.
TEST(TransposedConvolution, BFloat16UnderAutocastAndTorchsLayerElsewhere) {
  auto layer = aekit::nn::upsample(16, 8, {7, 7}, {14, 14});
  auto* module = layer.ptr()->as<torch::nn::ConvTranspose2d>();
  ASSERT_NE(module, nullptr);  // initialisation and checkpoints see a ConvTranspose2d
  torch::manual_seed(4);
  const torch::Tensor x = torch::randn({4, 16, 7, 7});
  const torch::Tensor wide = layer.forward(x);
  wide.square().sum().backward();
  const torch::Tensor want = module->weight.grad().clone();
  module->weight.mutable_grad() = torch::Tensor();
  torch::Tensor narrow;
  {
    const aekit::nn::AutocastScope lower(aekit::Precision::kBFloat16, torch::kCPU);
    narrow = layer.forward(x);
  }
  EXPECT_EQ(narrow.scalar_type(), torch::kBFloat16);
  narrow.to(torch::kFloat32).square().sum().backward();
  const torch::Tensor got = module->weight.grad();
  ASSERT_EQ(got.scalar_type(), torch::kFloat32);
  EXPECT_LT(((got - want).norm() / want.norm()).item<double>(), 0.05);
  EXPECT_FALSE(torch::equal(got, want));

  const torch::Tensor x64 = x.to(torch::kFloat64);
  EXPECT_FALSE(aekit::nn::runs_own_transposed_convolution(x64));
  layer.ptr()->to(torch::kFloat64);
  EXPECT_TRUE(torch::equal(layer.forward(x64), module->torch::nn::ConvTranspose2dImpl::forward(x64)));
}

// 2x2 max pooling on aekit's kernel against torch's max_pool2d: the same maxima and the same
// input gradients, bit for bit, with ties (small integers), NaNs, odd sizes and one thread or two.
TEST(MaxPoolHalve, EqualsTorchsMaxPoolForwardAndBackward) {
  // Rows of 14, 7 and 3 outputs (the widths with their own loops), even and odd, and others.
  const std::vector<std::vector<int64_t>> shapes{{32, 16, 28, 28}, {4, 8, 14, 14}, {4, 16, 7, 7},
                                                 {2, 3, 15, 29},   {3, 5, 7, 9},   {1, 1, 3, 2},
                                                 {2, 3, 2, 5}};
  for (const auto& shape : shapes) {
    for (const int threads : {1, 2}) {
      SCOPED_TRACE(::testing::Message() << shape << ", " << threads << " threads");
      const int previous = at::get_num_threads();
      at::set_num_threads(threads);
      torch::manual_seed(8);
      torch::Tensor x = torch::randint(-3, 4, shape).to(torch::kFloat32);
      x.view(-1)[5] = std::numeric_limits<float>::quiet_NaN();
      x.view(-1)[x.numel() - 1] = std::numeric_limits<float>::quiet_NaN();
      const torch::Tensor ours_in = x.clone().requires_grad_(true);
      const torch::Tensor theirs_in = x.clone().requires_grad_(true);
      const torch::Tensor ours = aekit::nn::max_pool_halve(ours_in);
      const torch::Tensor theirs = torch::max_pool2d(theirs_in, 2);
      ASSERT_EQ(ours.sizes(), theirs.sizes());
      EXPECT_TRUE(torch::equal(ours.isnan(), theirs.isnan()));
      EXPECT_TRUE(torch::equal(ours.nan_to_num(0), theirs.nan_to_num(0)));
      const torch::Tensor dy = torch::randn(ours.sizes());
      ours.backward(dy);
      theirs.backward(dy);
      EXPECT_TRUE(torch::equal(ours_in.grad(), theirs_in.grad()));
      at::set_num_threads(previous);
    }
  }
}
