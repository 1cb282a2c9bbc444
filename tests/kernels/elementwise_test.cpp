#include "aekit/kernels/elementwise.h"

#include "aekit/core/runtime.h"
#include "aekit/kernels/matmul.h"
#include "aekit/kernels/parallel.h"
#include "aekit/kernels/reconstruction_gradient.h"
#include "aekit/losses/reconstruction.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <atomic>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

using aekit::Precision;

namespace {

// The test suite runs each test with one torch thread; these run the two-thread split too.
const std::vector<int> kThreadCounts{1, 2};

}  // namespace

TEST(ParallelFor, CoversEveryIndexOnceAndRethrows) {
  for (const int threads : kThreadCounts) {
    aekit::ScopedTorchThreads scoped(threads);
    for (const int64_t size : {int64_t{1}, int64_t{7}, int64_t{1000}, int64_t{100003}}) {
      std::vector<std::atomic<int>> visits(static_cast<size_t>(size));
      aekit::kernels::parallel_for(size, 10, [&](int64_t begin, int64_t end) {
        ASSERT_LE(begin, end);
        for (int64_t i = begin; i < end; ++i) visits[static_cast<size_t>(i)]++;
      });
      for (int64_t i = 0; i < size; ++i) ASSERT_EQ(visits[static_cast<size_t>(i)].load(), 1) << i;
    }
    EXPECT_THROW(aekit::kernels::parallel_for(100000, 10,
                                              [](int64_t begin, int64_t) {
                                                if (begin > 0) throw std::runtime_error("range");
                                                if (at::get_num_threads() == 1)
                                                  throw std::runtime_error("one");
                                              }),
                 std::runtime_error);
  }
}

TEST(Elementwise, BFloat16RoundingIsTorchsBitForBit) {
  torch::manual_seed(1);
  const float inf = std::numeric_limits<float>::infinity();
  // Random values over many magnitudes, exact ties (x.5 ulp of bfloat16), denormals, signed zeros,
  // infinities and NaN; large enough for the two-thread split.
  torch::Tensor x = torch::randn({300001}) * torch::exp(torch::randn({300001}) * 10);
  torch::Tensor special = torch::tensor({0.0f, -0.0f, inf, -inf, std::nanf(""), 1.0e-40f, -3.0e-39f,
                                         1.00390625f, 1.01171875f, 3.4028235e38f});
  x.slice(0, 0, special.numel()).copy_(special);
  for (const int threads : kThreadCounts) {
    aekit::ScopedTorchThreads scoped(threads);
    const torch::Tensor ours = aekit::kernels::to_bfloat16(x);
    const torch::Tensor torchs = x.to(torch::kBFloat16);
    ASSERT_EQ(ours.scalar_type(), torch::kBFloat16);
    // NaN stays NaN (LibTorch's own vector and scalar paths write different NaN patterns); every
    // other value has the same bits.
    const torch::Tensor nan = x.isnan();
    EXPECT_TRUE(ours.isnan().equal(nan));
    EXPECT_TRUE(ours.view(torch::kInt16)
                    .masked_select(nan.logical_not())
                    .equal(torchs.view(torch::kInt16).masked_select(nan.logical_not())));
  }
  // A transposed view takes LibTorch's path and gives the same values.
  const torch::Tensor m = torch::randn({37, 53});
  EXPECT_TRUE(aekit::kernels::to_bfloat16(m.t())
                  .to(torch::kFloat32)
                  .equal(m.t().to(torch::kBFloat16).to(torch::kFloat32)));
}

TEST(Elementwise, BiasBackwardMasksSumsAndRoundsLikeLibTorch) {
  torch::manual_seed(2);
  for (const int threads : kThreadCounts) {
    aekit::ScopedTorchThreads scoped(threads);
    for (const Precision precision : {Precision::kFloat32, Precision::kBFloat16}) {
      for (const bool relu : {false, true}) {
        const torch::Tensor dy = torch::randn({128, 400});
        const torch::Tensor y = torch::relu(torch::randn({128, 400}));
        const torch::Tensor expected = relu ? torch::threshold_backward(dy, y, 0) : dy.clone();
        torch::Tensor work = dy.clone();
        torch::Tensor bias_grad = torch::full({400}, 7.0f);
        const torch::Tensor operand =
            aekit::kernels::bias_backward(work, relu ? y : torch::Tensor(), bias_grad, precision);
        EXPECT_TRUE(torch::allclose(bias_grad, expected.sum(0), 1e-5, 1e-4));
        if (precision == Precision::kFloat32) {
          EXPECT_TRUE(operand.equal(expected));
        } else {
          EXPECT_TRUE(
              operand.view(torch::kInt16).equal(expected.to(torch::kBFloat16).view(torch::kInt16)));
        }
      }
    }
  }
}

TEST(Elementwise, ReconstructionWithGradientEqualsAutograd) {
  torch::manual_seed(3);
  using aekit::losses::Likelihood;
  for (const int threads : kThreadCounts) {
    aekit::ScopedTorchThreads scoped(threads);
    for (const Likelihood likelihood : {Likelihood::kBernoulli, Likelihood::kGaussian}) {
      // Logits from -30 to 30 (saturated sigmoids included) and grey-level targets.
      torch::Tensor output = (torch::randn({128, 784}) * 8).clamp(-30, 30).requires_grad_();
      const torch::Tensor target = torch::rand({128, 1, 28, 28});
      const double scale = 1.0 / 128;
      const torch::Tensor loss =
          aekit::losses::reconstruction_loss_per_example(likelihood, output, target.view({128, -1}))
              .sum();
      loss.backward();
      const torch::Tensor grad = output.grad() * scale;
      for (const Precision precision : {Precision::kFloat32, Precision::kBFloat16}) {
        torch::Tensor operand;
        torch::Tensor bias_grad = torch::empty({784});
        const double ours = aekit::kernels::reconstruction_with_gradient(
            likelihood, output.detach(), target, scale, precision, operand, bias_grad);
        EXPECT_NEAR(ours, loss.item<double>(), 1e-5 * std::abs(loss.item<double>()));
        EXPECT_TRUE(torch::allclose(bias_grad, grad.sum(0), 1e-4, 1e-5));
        if (precision == Precision::kFloat32) {
          EXPECT_TRUE(torch::allclose(operand, grad, 1e-5, 1e-7));
        } else {
          ASSERT_EQ(operand.scalar_type(), torch::kBFloat16);
          // One bfloat16 rounding of the same gradient: within half a bfloat16 step (2^-9
          // relative).
          EXPECT_TRUE(torch::allclose(operand.to(torch::kFloat32), grad, 1.0 / 256, 1e-7));
        }
      }
    }
  }
}

// The trainer's warning rests on this: native exactly where oneDNN is built in and the kernel lists
// a bfloat16 instruction set among the CPU's flags.
// Row sums of softplus against LibTorch's softplus in float64: row widths below, at and above the
// 16 lanes and the 784 pixels of an image, saturated and zero logits, an empty set of rows, one
// thread or two; and the likelihood's per-sample Bernoulli loss that uses them against LibTorch's
// BCE with logits.
TEST(Elementwise, SoftplusRowSumsEqualTorchsInFloat64) {
  for (const int64_t cols : {int64_t{1}, int64_t{15}, int64_t{16}, int64_t{17}, int64_t{784}}) {
    for (const int64_t rows : {int64_t{0}, int64_t{1}, int64_t{33}}) {
      for (const int threads : {1, 2}) {
        SCOPED_TRACE(::testing::Message()
                     << rows << " x " << cols << ", " << threads << " threads");
        const aekit::ScopedTorchThreads scoped(threads);
        torch::manual_seed(11);
        torch::Tensor x = torch::randn({rows, cols}) * 6;
        if (rows > 0 && cols >= 6) {
          x[0].slice(0, 0, 6).copy_(torch::tensor({0.0f, -100.0f, 100.0f, 30.0f, -30.0f, 1e-6f}));
        }
        const torch::Tensor sums = aekit::kernels::softplus_sums(x);
        const torch::Tensor expected = torch::softplus(x.to(torch::kFloat64)).sum(1);
        // float32 rounding of each term and of the sum: relative 1e-6 of the sum of |terms|.
        const torch::Tensor error = (sums.to(torch::kFloat64) - expected).abs();
        EXPECT_TRUE((error <= expected.abs() * 1e-6 + 1e-6).all().item<bool>())
            << "largest error " << (rows > 0 ? error.max().item<double>() : 0.0);
      }
    }
  }
  torch::manual_seed(12);
  const torch::Tensor logits = torch::randn({50, 3, 784}) * 4;
  const torch::Tensor target = torch::rand({3, 784});
  const torch::Tensor loss = aekit::losses::sampled_reconstruction_loss(
      aekit::losses::Likelihood::kBernoulli, logits, target, {});
  const torch::Tensor expected =
      torch::binary_cross_entropy_with_logits(logits.to(torch::kFloat64),
                                              target.to(torch::kFloat64).expand({50, 3, 784}), {},
                                              {}, at::Reduction::None)
          .sum(2);
  EXPECT_TRUE(torch::allclose(loss.to(torch::kFloat64), expected, 1e-5, 1e-3));
}

TEST(Products, NativeBFloat16MatchesTheCpuFlags) {
  std::ifstream cpuinfo("/proc/cpuinfo");
  if (!cpuinfo) GTEST_SKIP() << "no /proc/cpuinfo";
  std::string line;
  bool bf16_flag = false;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    std::istringstream flags(line.substr(line.find(':') + 1));
    for (std::string flag; flags >> flag;) {
      bf16_flag = bf16_flag || flag == "avx512_bf16" || flag == "amx_bf16";
    }
    break;
  }
  const bool onednn = aekit::kernels::product_backend().rfind("oneDNN", 0) == 0;
  EXPECT_EQ(aekit::kernels::native_bfloat16_products(), onednn && bf16_flag)
      << "backend " << aekit::kernels::product_backend() << ", CPU bfloat16 flag " << bf16_flag;
}

// The raw product of the LSTM's steps: every layout it takes (b plain or a transposed weight,
// beta 0 or 1, matrices inside wider rows, an empty inner size) against LibTorch's product.
TEST(Products, GemmRowMajorEqualsTorchForEveryLayout) {
  torch::manual_seed(4);
  for (const bool b_transposed : {false, true}) {
    for (const float beta : {0.0f, 1.0f}) {
      for (const auto& [m, n, k] : std::vector<std::tuple<int64_t, int64_t, int64_t>>{
               {16, 400, 100}, {7, 13, 5}, {1, 1, 1}, {3, 4, 0}}) {
        SCOPED_TRACE(::testing::Message() << "m=" << m << " n=" << n << " k=" << k
                                          << " b_transposed=" << b_transposed << " beta=" << beta);
        // Each matrix sits in the left part of rows 3 values wider than it.
        const torch::Tensor a = torch::randn({m, k + 3});
        const torch::Tensor b = b_transposed ? torch::randn({n, k + 3}) : torch::randn({k, n + 3});
        torch::Tensor c = torch::randn({m, n + 3});
        const torch::Tensor a_used = a.narrow(1, 0, k);
        const torch::Tensor b_used = b_transposed ? b.narrow(1, 0, k).t() : b.narrow(1, 0, n);
        const torch::Tensor expected = torch::mm(a_used, b_used) + beta * c.narrow(1, 0, n);
        const torch::Tensor untouched = c.narrow(1, n, 3).clone();
        aekit::kernels::gemm_row_major(m, n, k, a.data_ptr<float>(), k + 3, b.data_ptr<float>(),
                                       b_transposed ? k + 3 : n + 3, b_transposed, beta,
                                       c.data_ptr<float>(), n + 3);
        EXPECT_TRUE(torch::allclose(c.narrow(1, 0, n), expected, 1e-4, 1e-5));
        EXPECT_TRUE(torch::equal(c.narrow(1, n, 3), untouched));
      }
    }
  }
}
