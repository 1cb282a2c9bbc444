// Google Benchmark cases: one training step (forward, loss, backward, optimizer step), its parts
// for the MLP VAE, and encode +
// decode throughput of the MLP VAE (784-400-20, Adam), the convolutional AE and the recurrent
// (LSTM) AE of configs/, at a few batch sizes. Run: build/bench/aekit_bench
#include "aekit/core/runtime.h"
#include "aekit/models/autoencoder.h"
#include "aekit/train/fused_adam.h"
#include "aekit/train/optimizer.h"
#include "aekit/train/run_config.h"

#include <benchmark/benchmark.h>
#include <torch/torch.h>

namespace {

aekit::Json config_of(const std::string& family) {
  aekit::Json model;
  if (family == "mlp_vae") {
    model = {{"type", "vae"}, {"encoder", {400}}, {"latent_dim", 20}};
  } else if (family == "conv_ae") {
    model = {{"type", "conv_ae"}, {"filters", {16, 32, 64}}, {"activation", "selu"}};
  } else {
    model = {{"type", "lstm_ae"}, {"encoder", {100}}, {"latent_dim", 30}};
  }
  return aekit::train::resolve_config(aekit::Json{{"model", model}});
}

void BM_TrainStep(benchmark::State& state, const std::string& family) {
  aekit::configure_threads(0);
  torch::manual_seed(0);
  const aekit::Json config = config_of(family);
  auto model = aekit::models::make_model(config["model"], {1, 28, 28});
  auto optimizer = aekit::train::make_optimizer(config, model->parameters());
  const torch::Tensor x = torch::rand({state.range(0), 1, 28, 28});
  model->train();
  for (auto _ : state) {
    // As the trainer does: the family's fused step where it has one, else autograd.
    optimizer->zero_grad();
    aekit::models::LossTerms terms;
    if (!model->fused_training_step(x, aekit::nn::Precision::kFloat32, terms)) {
      terms = model->training_loss(x, x);
      terms.total.backward();
    }
    optimizer->step();
    benchmark::DoNotOptimize(terms.total.item<float>());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

// The parts of the MLP VAE step at batch 128: forward + backward by autograd or by the fused
// step, and the Adam update by LibTorch's Adam or aekit's FusedAdam.
void BM_MlpVaeStepPart(benchmark::State& state, const std::string& part) {
  aekit::configure_threads(0);
  torch::manual_seed(0);
  const aekit::Json config = config_of("mlp_vae");
  auto model = aekit::models::make_model(config["model"], {1, 28, 28});
  model->train();
  const torch::Tensor x = torch::rand({128, 1, 28, 28});
  torch::optim::Adam torch_adam(model->parameters(), torch::optim::AdamOptions(1e-3));
  aekit::train::FusedAdam fused_adam(model->parameters(), torch::optim::AdamOptions(1e-3));
  aekit::models::LossTerms terms;
  model->fused_training_step(x, aekit::nn::Precision::kFloat32, terms);  // every gradient defined
  for (auto _ : state) {
    if (part == "autograd") {
      for (auto& p : model->parameters()) p.mutable_grad().zero_();
      model->training_loss(x, x).total.backward();
    } else if (part == "fused") {
      model->fused_training_step(x, aekit::nn::Precision::kFloat32, terms);
    } else if (part == "torch_adam") {
      torch_adam.step();
    } else {
      fused_adam.step();
    }
  }
}

void BM_EncodeDecode(benchmark::State& state, const std::string& family) {
  aekit::configure_threads(0);
  torch::NoGradGuard no_grad;
  auto model = aekit::models::make_model(config_of(family)["model"], {1, 28, 28});
  model->eval();
  const torch::Tensor x = torch::rand({state.range(0), 1, 28, 28});
  for (auto _ : state) {
    benchmark::DoNotOptimize(model->decode(model->encode(x)).data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

// The matrix products of one MLP VAE step at batch 128 (784-400-20), alone: the floor of the step
// with this BLAS, and its GFLOP/s (the counter "FLOPS"), i.e. the GEMM ceiling on these shapes.
void BM_MlpVaeGemms(benchmark::State& state) {
  aekit::configure_threads(0);
  torch::manual_seed(0);
  const int64_t n = 128;
  const torch::Tensor x = torch::rand({n, 784});
  const torch::Tensor w1 = torch::randn({400, 784}), w_mean = torch::randn({20, 400}),
                      w_logvar = torch::randn({20, 400}), w3 = torch::randn({400, 20}),
                      w4 = torch::randn({784, 400});
  const torch::Tensor h = torch::rand({n, 400}), z = torch::randn({n, 20}),
                      d_out = torch::randn({n, 784}), d_h = torch::randn({n, 400}),
                      d_code = torch::randn({n, 20});
  // Forward: 5 products; backward: a weight gradient for each layer, input gradients for 4.
  const double flops =
      2.0 * n * (784 * 400 + 2 * 400 * 20 + 20 * 400 + 400 * 784) * 3 - 2.0 * n * 784 * 400;
  for (auto _ : state) {
    benchmark::DoNotOptimize(x.mm(w1.t()).data_ptr());
    benchmark::DoNotOptimize(h.mm(w_mean.t()).data_ptr());
    benchmark::DoNotOptimize(h.mm(w_logvar.t()).data_ptr());
    benchmark::DoNotOptimize(z.mm(w3.t()).data_ptr());
    benchmark::DoNotOptimize(h.mm(w4.t()).data_ptr());
    benchmark::DoNotOptimize(d_out.t().mm(h).data_ptr());
    benchmark::DoNotOptimize(d_out.mm(w4).data_ptr());
    benchmark::DoNotOptimize(d_h.t().mm(z).data_ptr());
    benchmark::DoNotOptimize(d_h.mm(w3).data_ptr());
    benchmark::DoNotOptimize(d_code.t().mm(h).data_ptr());
    benchmark::DoNotOptimize(d_code.t().mm(h).data_ptr());
    benchmark::DoNotOptimize(d_code.mm(w_mean).data_ptr());
    benchmark::DoNotOptimize(d_code.mm(w_logvar).data_ptr());
    benchmark::DoNotOptimize(d_h.t().mm(x).data_ptr());
  }
  state.counters["FLOPS"] = benchmark::Counter(flops * static_cast<double>(state.iterations()),
                                               benchmark::Counter::kIsRate);
}
BENCHMARK(BM_MlpVaeGemms)->Unit(benchmark::kMillisecond);

BENCHMARK_CAPTURE(BM_MlpVaeStepPart, forward_backward_autograd, std::string("autograd"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MlpVaeStepPart, forward_backward_fused, std::string("fused"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MlpVaeStepPart, adam_libtorch, std::string("torch_adam"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MlpVaeStepPart, adam_fused, std::string("fused_adam"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_TrainStep, mlp_vae, std::string("mlp_vae"))
    ->Arg(32)
    ->Arg(128)
    ->Arg(512)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_TrainStep, conv_ae, std::string("conv_ae"))
    ->Arg(32)
    ->Arg(128)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_TrainStep, lstm_ae, std::string("lstm_ae"))
    ->Arg(32)
    ->Arg(128)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EncodeDecode, mlp_vae, std::string("mlp_vae"))
    ->Arg(128)
    ->Arg(1024)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EncodeDecode, conv_ae, std::string("conv_ae"))
    ->Arg(128)
    ->Arg(1024)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_EncodeDecode, lstm_ae, std::string("lstm_ae"))
    ->Arg(128)
    ->Arg(1024)
    ->Unit(benchmark::kMillisecond);

}  // namespace
