// Google Benchmark cases: one training step (forward, loss, backward, Adam step) and encode/decode
// throughput of the MLP VAE, at a few batch sizes. Run: build/bench/aekit_bench
#include "aekit/core/runtime.h"
#include "aekit/models/autoencoder.h"
#include "aekit/train/optimizer.h"
#include "aekit/train/run_config.h"

#include <benchmark/benchmark.h>
#include <torch/torch.h>

namespace {

aekit::Json vae_config() {
  return aekit::train::resolve_config(
      aekit::Json{{"model", {{"type", "vae"}, {"encoder", {400}}, {"latent_dim", 20}}}});
}

void BM_VaeTrainStep(benchmark::State& state) {
  aekit::configure_threads(0);
  torch::manual_seed(0);
  const aekit::Json config = vae_config();
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
BENCHMARK(BM_VaeTrainStep)->Arg(32)->Arg(128)->Arg(512)->Unit(benchmark::kMillisecond);

void BM_VaeEncodeDecode(benchmark::State& state) {
  aekit::configure_threads(0);
  torch::NoGradGuard no_grad;
  auto model = aekit::models::make_model(vae_config()["model"], {1, 28, 28});
  model->eval();
  const torch::Tensor x = torch::rand({state.range(0), 1, 28, 28});
  for (auto _ : state) {
    benchmark::DoNotOptimize(model->decode(model->encode(x)).data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_VaeEncodeDecode)->Arg(128)->Arg(1024)->Unit(benchmark::kMillisecond);

}  // namespace
