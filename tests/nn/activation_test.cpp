#include "aekit/nn/activation.h"

#include <ATen/Parallel.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>

using aekit::nn::Activation;
using aekit::nn::apply_activation;

// SELU on aekit's kernel (CPU float32) against LibTorch's selu in float64: outputs and input
// gradients within float32 rounding, with zeros, saturated and infinite inputs, a NaN, an empty
// tensor, a non-contiguous view, and one thread or two.
TEST(Selu, OutputsAndGradientsEqualTorchsInFloat64) {
  const float inf = std::numeric_limits<float>::infinity();
  for (const int64_t n : {int64_t{0}, int64_t{13}, int64_t{100003}}) {
    for (const int threads : {1, 2}) {
      SCOPED_TRACE(::testing::Message() << n << " values, " << threads << " threads");
      const int previous = at::get_num_threads();
      at::set_num_threads(threads);
      torch::manual_seed(3);
      torch::Tensor x = torch::randn({n}) * 4;
      if (n >= 13) {
        x.slice(0, 0, 8).copy_(
            torch::tensor({0.0f, -0.0f, -100.0f, 100.0f, -inf, inf, 1e-8f, -1e-8f}));
      }
      x.requires_grad_(true);
      const torch::Tensor dy = torch::randn({n});
      const torch::Tensor y = apply_activation(Activation::kSelu, x);
      y.backward(dy);
      const torch::Tensor x64 = x.detach().to(torch::kFloat64).requires_grad_(true);
      const torch::Tensor y64 = torch::selu(x64);
      y64.backward(dy.to(torch::kFloat64));
      EXPECT_TRUE(torch::allclose(y.to(torch::kFloat64), y64, 1e-6, 1e-6));
      EXPECT_TRUE(torch::allclose(x.grad().to(torch::kFloat64), x64.grad(), 1e-5, 1e-6));
      at::set_num_threads(previous);
    }
  }
  // A NaN stays NaN and takes the positive side's slope, as in LibTorch.
  torch::Tensor nan =
      torch::full({1}, std::numeric_limits<float>::quiet_NaN(), torch::requires_grad());
  const torch::Tensor y = apply_activation(Activation::kSelu, nan);
  y.backward(torch::ones({1}));
  EXPECT_TRUE(std::isnan(y.item<float>()));
  EXPECT_FLOAT_EQ(nan.grad().item<float>(), 1.0507009873554804934193349852946f);
  // A transposed view gives the values of its contiguous copy, in its own shape.
  const torch::Tensor m = torch::randn({7, 5});
  EXPECT_TRUE(torch::equal(apply_activation(Activation::kSelu, m.t()),
                           apply_activation(Activation::kSelu, m.t().contiguous())));
  // Other dtypes are LibTorch's selu exactly.
  const torch::Tensor d = torch::randn({64}, torch::kFloat64);
  EXPECT_TRUE(torch::equal(apply_activation(Activation::kSelu, d), torch::selu(d)));
}

// Every activation aekit offers is non-decreasing (the convolutional AE pools before its
// activation on that ground): max pooling commutes with each, values and gradients.
TEST(Activation, EveryActivationCommutesWithMaxPooling) {
  torch::manual_seed(5);
  const torch::Tensor x = torch::randn({4, 3, 10, 12}) * 3;
  const torch::Tensor dy = torch::randn({4, 3, 5, 6});
  for (const auto& name : aekit::nn::activation_names()) {
    SCOPED_TRACE(name);
    const Activation act = aekit::nn::parse_activation(name);
    const torch::Tensor a = x.clone().requires_grad_(true);
    const torch::Tensor b = x.clone().requires_grad_(true);
    const torch::Tensor pooled_after = torch::max_pool2d(apply_activation(act, a), 2);
    const torch::Tensor pooled_before = apply_activation(act, torch::max_pool2d(b, 2));
    EXPECT_TRUE(torch::allclose(pooled_after, pooled_before, 1e-6, 1e-6));
    pooled_after.backward(dy);
    pooled_before.backward(dy);
    EXPECT_TRUE(torch::allclose(a.grad(), b.grad(), 1e-5, 1e-6));
  }
}
