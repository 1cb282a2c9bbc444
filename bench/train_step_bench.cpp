// Google Benchmark cases: one training step (forward, loss, backward, optimizer step) and encode +
// decode throughput of the MLP VAE (784-400-20, Adam), the convolutional AE and the recurrent
// (LSTM) AE of configs/, at a few batch sizes. Run: build/bench/aekit_bench
#include "aekit/core/runtime.h"
#include "aekit/models/autoencoder.h"
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
  for (auto _ : state) {
    const auto terms = model->loss(x, model->forward(x));
    optimizer->zero_grad();
    terms.total.backward();
    optimizer->step();
    benchmark::DoNotOptimize(terms.total.item<float>());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
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
