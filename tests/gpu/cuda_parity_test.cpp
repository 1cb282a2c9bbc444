// CPU/GPU parity: every family's forward, loss and one training step give on a CUDA device what
// they give on the CPU, and training on the GPU follows the CPU's losses. The tests' names end in
// _CUDA (scripts/gpu-check.sh runs --gtest_filter='*_CUDA'); without a CUDA device they are skipped.
// A GPU run's checkpoint loads on the CPU.
// TF32 is switched off here: parity is checked in float32.
#include "aekit/core/runtime.h"
#include "aekit/data/synthetic.h"
#include "aekit/models/autoencoder.h"
#include "aekit/train/optimizer.h"
#include "aekit/train/run_config.h"
#include "aekit/train/trainer.h"

#include "../support/test_support.h"

#include <ATen/Context.h>
#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/torch.h>

using aekit::Json;
using aekit::testing::TempDir;

namespace {

#define REQUIRE_CUDA()                                                          \
  if (!torch::cuda::is_available()) {                                           \
    GTEST_SKIP() << "no CUDA device (this LibTorch sees none): nothing to compare"; \
  }                                                                             \
  at::globalContext().setAllowTF32CuBLAS(false);                                \
  at::globalContext().setAllowTF32CuDNN(false)

const torch::Device kCuda(torch::kCUDA, 0);

Json resolved(const std::string& type) {
  Json user = {{"model", {{"type", type}}},
               {"train", {{"optimizer", "sgd"}, {"lr", 0.1}}},
               {"runtime", {{"device", "cpu"}}}};
  if (aekit::models::model_families().get(type).traits.conditional) user["model"]["classes"] = 3;
  if (aekit::models::model_families().get(type).traits.tokens) user["model"]["vocabulary"] = 10;
  return aekit::train::resolve_config(user);
}

/// The same model twice, on the CPU and on the GPU, with equal weights. A Gaussian posterior's
/// log-variance is pinned at its floor (weight 0, bias -30: a standard deviation of 3e-7), so that
/// its draws (from two different generators) change nothing above float32's rounding.
std::pair<aekit::models::Autoencoder, aekit::models::Autoencoder> twins(const Json& model_config,
                                                                         const std::vector<int64_t>& shape) {
  torch::manual_seed(3);
  auto cpu = aekit::models::make_model(model_config, shape);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : cpu->named_parameters()) {
      if (p.key() == "logvar.weight") p.value().zero_();
      if (p.key() == "logvar.bias") p.value().fill_(-30.0);
    }
  }
  torch::manual_seed(3);
  auto gpu = aekit::models::make_model(model_config, shape);
  {
    torch::NoGradGuard no_grad;
    const auto from = cpu->named_parameters();
    for (auto& p : gpu->named_parameters()) p.value().copy_(from[p.key()]);
    const auto buffers = cpu->named_buffers();
    for (auto& b : gpu->named_buffers()) b.value().copy_(buffers[b.key()]);
  }
  gpu->to(kCuda);
  return {cpu, gpu};
}

/// max |a - b| <= atol + rtol * max |a|, with the worst difference in the failure message.
::testing::AssertionResult close(const torch::Tensor& cpu, const torch::Tensor& gpu, double rtol,
                                 double atol) {
  const torch::Tensor a = cpu.detach().to(torch::kCPU, torch::kFloat64);
  const torch::Tensor b = gpu.detach().to(torch::kCPU, torch::kFloat64);
  if (a.sizes() != b.sizes()) return ::testing::AssertionFailure() << "shapes differ";
  const double scale = a.numel() > 0 ? a.abs().max().item<double>() : 0.0;
  const double worst = a.numel() > 0 ? (a - b).abs().max().item<double>() : 0.0;
  if (std::isfinite(worst) && worst <= atol + rtol * scale) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "largest difference " << worst << " against a scale of "
                                       << scale;
}

std::vector<int64_t> shape_of(const std::string& type) {
  // Token sequences are 12 ids; sequences read a 28 x 28 image as 28 steps of 28; the others take
  // it as 1 x 28 x 28.
  if (aekit::models::model_families().get(type).traits.tokens) return {12};
  return aekit::models::model_families().get(type).traits.sequence_input ? std::vector<int64_t>{28, 28}
                                                                         : std::vector<int64_t>{1, 28, 28};
}

/// n random samples shaped as `type` reads them, both twins in evaluation mode (no input noise, no
/// dropout, a VQ-VAE's codebook left as it is) and conditioned on labels 0, 1, 2, 0, ...
torch::Tensor batch_for(const std::string& type, int64_t n, aekit::models::AutoencoderImpl& cpu,
                        aekit::models::AutoencoderImpl& gpu) {
  cpu.eval();
  gpu.eval();
  std::vector<int64_t> batch{n};
  for (const int64_t d : shape_of(type)) batch.push_back(d);
  const torch::Tensor labels = torch::arange(n, torch::kInt64).remainder(3);
  cpu.set_condition(labels);
  gpu.set_condition(labels);
  if (aekit::models::model_families().get(type).traits.tokens) {
    // Tokens of the 10-token vocabulary (past the 3 special ones), each row ended at step 8.
    torch::Tensor ids = torch::randint(3, 10, batch).to(torch::kFloat32);
    ids.slice(1, 8, 9).fill_(2);
    ids.slice(1, 9).fill_(0);
    return ids;
  }
  return torch::rand(batch);
}

}  // namespace

TEST(CudaParity, EveryFamilysForwardAndLossMatchTheCpu_CUDA) {
  REQUIRE_CUDA();
  for (const std::string& type : aekit::models::model_families().names()) {
    SCOPED_TRACE(type);
    const Json config = resolved(type);
    auto [cpu, gpu] = twins(config["model"], shape_of(type));
    torch::manual_seed(5);
    const torch::Tensor x = batch_for(type, 6, *cpu, *gpu);
    torch::NoGradGuard no_grad;
    const torch::Tensor codes = cpu->encode(x);
    EXPECT_TRUE(close(codes, gpu->encode(x.to(kCuda)), 1e-4, 1e-5)) << "encode";
    EXPECT_TRUE(close(cpu->decode(codes), gpu->decode(codes.to(kCuda)), 1e-4, 1e-5)) << "decode";
    const auto cpu_terms = cpu->loss(x, cpu->forward(x));
    const auto gpu_terms = gpu->loss(x.to(kCuda), gpu->forward(x.to(kCuda)));
    EXPECT_TRUE(close(cpu_terms.total, gpu_terms.total, 1e-4, 1e-5)) << "loss";
    EXPECT_TRUE(close(cpu_terms.reconstruction, gpu_terms.reconstruction, 1e-4, 1e-5));
    EXPECT_TRUE(close(cpu_terms.kl, gpu_terms.kl, 1e-4, 1e-5)) << "kl";
  }
}

TEST(CudaParity, EveryFamilysTrainingStepMatchesTheCpu_CUDA) {
  REQUIRE_CUDA();
  for (const std::string& type : aekit::models::model_families().names()) {
    SCOPED_TRACE(type);
    const Json config = resolved(type);
    auto [cpu, gpu] = twins(config["model"], shape_of(type));
    // The step is the loss's gradient and the optimizer's update (in evaluation mode).
    torch::manual_seed(7);
    const torch::Tensor x = batch_for(type, 8, *cpu, *gpu);
    auto cpu_optimizer = aekit::train::make_optimizer(config, cpu->parameters());
    auto gpu_optimizer = aekit::train::make_optimizer(config, gpu->parameters());
    cpu_optimizer->zero_grad();
    gpu_optimizer->zero_grad();
    cpu->loss(x, cpu->forward(x)).total.backward();
    gpu->loss(x.to(kCuda), gpu->forward(x.to(kCuda))).total.backward();
    const auto gpu_parameters = gpu->named_parameters();
    for (const auto& p : cpu->named_parameters()) {
      SCOPED_TRACE(p.key());
      const torch::Tensor& g = gpu_parameters[p.key()];
      ASSERT_EQ(p.value().grad().defined(), g.grad().defined());
      if (p.value().grad().defined()) {
        EXPECT_TRUE(close(p.value().grad(), g.grad(), 1e-3, 1e-6));
      }
    }
    cpu_optimizer->step();
    gpu_optimizer->step();
    for (const auto& p : cpu->named_parameters()) {
      SCOPED_TRACE(p.key());
      EXPECT_TRUE(close(p.value(), gpu_parameters[p.key()], 1e-4, 1e-6));
    }
  }
}

TEST(CudaParity, TrainingOnTheGpuFollowsTheCpusLosses_CUDA) {
  REQUIRE_CUDA();
  // A deterministic family (no sampling), so that both devices see the same batches and weights:
  // the shuffle and the initial weights come from the CPU's generator either way.
  const auto data = aekit::data::load_shapes(16, 1, 512, 128);
  for (const std::string type : {"ae", "conv_ae"}) {
    SCOPED_TRACE(type);
    std::vector<double> losses[2];
    for (const std::string device : {"cpu", "cuda"}) {
      Json user = {{"model", {{"type", type}}},
                   {"train", {{"epochs", 3}, {"batch_size", 64}, {"seed", 2}}},
                   {"runtime", {{"device", device}}}};
      const Json config = aekit::train::resolve_config(user);
      TempDir dir;
      aekit::train::TrainerOptions options;
      options.progress = false;
      const auto result = aekit::train::train(config, data, aekit::train::RunPaths(dir / "run"), options);
      for (const auto& epoch : result.history) {
        losses[device == "cuda"].push_back(epoch["train_loss"].get<double>());
      }
      // The checkpoint of a GPU run loads on the CPU, with the weights the GPU ended with.
      const auto loaded = aekit::train::load_run(dir / "run", torch::kCPU);
      const auto trained = result.model->named_parameters();
      for (const auto& p : loaded.model->named_parameters()) {
        ASSERT_TRUE(p.value().device().is_cpu());
        EXPECT_TRUE(p.value().equal(trained[p.key()].to(torch::kCPU))) << p.key();
      }
    }
    ASSERT_EQ(losses[0].size(), 3u);
    ASSERT_EQ(losses[1].size(), 3u);
    EXPECT_LT(losses[0].back(), losses[0].front());
    for (size_t i = 0; i < 3; ++i) EXPECT_NEAR(losses[1][i], losses[0][i], 1e-3 * std::abs(losses[0][i]));
  }
}
