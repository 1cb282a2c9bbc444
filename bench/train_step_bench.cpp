// Google Benchmark cases: one training step (forward, loss, backward, optimizer step), its parts
// for the MLP VAE, and encode +
// decode throughput of the MLP VAE (784-400-20, Adam), the convolutional AE and the recurrent
// (LSTM) AE of configs/, at a few batch sizes. Run: build/bench/aekit_bench
#include "aekit/core/runtime.h"
#include "aekit/models/autoencoder.h"
#include "aekit/kernels/matmul.h"
#include "aekit/kernels/fused_adam.h"
#include "aekit/kernels/parallel.h"
#include "aekit/nn/conv.h"
#include "aekit/nn/lstm.h"
#include "aekit/train/optimizer.h"
#include "aekit/train/run_config.h"

#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <functional>
#include <utility>
#include <vector>

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

// The pools as the trainer and the commands on a trained run set them for this family's step
// (each benchmark starts from aekit::configure_threads(0), which resets them).
void set_family_pools(const aekit::models::AutoencoderImpl& model) {
  const aekit::models::TrainingStep step = model.training_step(aekit::Precision::kFloat32);
  aekit::set_pool_threads(step.torch_threads, step.blas_threads);
}

void BM_TrainStep(benchmark::State& state, const std::string& family) {
  aekit::configure_threads(0);
  torch::manual_seed(0);
  const aekit::Json config = config_of(family);
  auto model = aekit::models::make_model(config["model"], {1, 28, 28});
  auto optimizer = aekit::train::make_optimizer(config, model->parameters());
  const torch::Tensor x = torch::rand({state.range(0), 1, 28, 28});
  model->train();
  set_family_pools(*model);
  for (auto _ : state) {
    // As the trainer does: the family's fused step where it has one, else autograd.
    optimizer->zero_grad();
    aekit::models::LossTerms terms;
    if (!model->fused_training_step(x, aekit::Precision::kFloat32, terms)) {
      terms = model->training_loss(x, x);
      terms.total.backward();
    }
    optimizer->step();
    benchmark::DoNotOptimize(terms.total.item<float>());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

// One LSTM layer 28 -> 100 over a batch of `batch` sequences of 28 steps (the recurrent AE's first
// layer), forward and backward: torch's LSTM (own 0) or aekit's recurrence (own 1), on torch's pool
// with `threads` threads and OpenBLAS on one.
void BM_LstmLayer(benchmark::State& state) {
  aekit::configure_threads(0);
  torch::manual_seed(0);
  torch::nn::LSTM layer(torch::nn::LSTMOptions(28, 100).batch_first(true));
  const int64_t batch = state.range(2);
  const torch::Tensor x = torch::rand({batch, 28, 28});
  const torch::Tensor weights = torch::randn({batch, 28, 100});
  const bool own = state.range(0) == 1;
  const aekit::ScopedTorchThreads torch_threads(static_cast<int>(state.range(1)));
  const aekit::ScopedBlasThreads blas_threads(1);
  for (auto _ : state) {
    layer->zero_grad();
    const torch::Tensor h =
        own ? aekit::nn::run_lstm(layer, x) : std::get<0>(layer->forward(x));
    (h * weights).sum().backward();
    benchmark::DoNotOptimize(layer->parameters()[0].grad().data_ptr<float>());
  }
  // 247.5 MFLOP of products per pass at batch 32 (no input gradient: x needs none).
  state.counters["GFLOP/s"] = benchmark::Counter(247.5e6 * static_cast<double>(batch) / 32.0 *
                                                     static_cast<double>(state.iterations()),
                                                 benchmark::Counter::kIsRate);
}

// The products alone of BM_LstmLayer's aekit case (247.5 MFLOP: the input projection, 27 recurrent
// products forward and 27 backward per thread's rows, the two weight gradients), split over torch's
// threads as aekit's recurrence splits them: the floor for the layer's shapes on this machine.
void BM_LstmLayerProducts(benchmark::State& state) {
  aekit::configure_threads(0);
  const int64_t batch = 32, steps = 28, features = 28, hidden = 100;
  const aekit::ScopedTorchThreads torch_threads(static_cast<int>(state.range(0)));
  const aekit::ScopedBlasThreads blas_threads(1);
  const torch::Tensor x = torch::rand({steps * batch, features});
  const torch::Tensor w_ih = torch::randn({4 * hidden, features});
  const torch::Tensor w_hh = torch::randn({4 * hidden, hidden});
  torch::Tensor gates = torch::randn({steps * batch, 4 * hidden});
  torch::Tensor h = torch::randn({steps * batch, hidden});
  torch::Tensor dh = torch::empty({batch, hidden});
  torch::Tensor d_w_ih = torch::empty_like(w_ih);
  torch::Tensor d_w_hh = torch::empty_like(w_hh);
  const auto rows_in_parallel = [](int64_t rows, const std::function<void(int64_t, int64_t)>& body) {
    aekit::kernels::parallel_for(rows, 8, body);
  };
  for (auto _ : state) {
    rows_in_parallel(steps * batch, [&](int64_t b, int64_t e) {
      aekit::kernels::gemm_row_major(e - b, 4 * hidden, features, x.data_ptr<float>() + b * features,
                                     features, w_ih.data_ptr<float>(), features, true, 0.0f,
                                     gates.data_ptr<float>() + b * 4 * hidden, 4 * hidden);
    });
    rows_in_parallel(batch, [&](int64_t b, int64_t e) {
      for (int64_t t = 1; t < steps; ++t) {
        aekit::kernels::gemm_row_major(e - b, 4 * hidden, hidden,
                                       h.data_ptr<float>() + ((t - 1) * batch + b) * hidden, hidden,
                                       w_hh.data_ptr<float>(), hidden, true, 1.0f,
                                       gates.data_ptr<float>() + (t * batch + b) * 4 * hidden,
                                       4 * hidden);
      }
      for (int64_t t = steps - 1; t-- > 0;) {
        aekit::kernels::gemm_row_major(e - b, hidden, 4 * hidden,
                                       gates.data_ptr<float>() + ((t + 1) * batch + b) * 4 * hidden,
                                       4 * hidden, w_hh.data_ptr<float>(), hidden, false, 0.0f,
                                       dh.data_ptr<float>() + b * hidden, hidden);
      }
    });
    rows_in_parallel(4 * hidden, [&](int64_t b, int64_t e) {
      const torch::NoGradGuard no_grad;
      torch::Tensor ih = d_w_ih.narrow(0, b, e - b);
      torch::mm_out(ih, gates.t().narrow(0, b, e - b), x);
      torch::Tensor hh = d_w_hh.narrow(0, b, e - b);
      torch::mm_out(hh, gates.narrow(0, batch, (steps - 1) * batch).t().narrow(0, b, e - b),
                    h.narrow(0, 0, (steps - 1) * batch));
    });
    benchmark::DoNotOptimize(d_w_hh.data_ptr<float>());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(247.5e6 * static_cast<double>(state.iterations()),
                                                 benchmark::Counter::kIsRate);
}

// The parts of the MLP VAE step at batch 128: forward + backward by autograd or by the fused
// step (float32 or bfloat16 products), and the Adam update by LibTorch's Adam or aekit's FusedAdam.
void BM_MlpVaeStepPart(benchmark::State& state, const std::string& part) {
  aekit::configure_threads(0);
  torch::manual_seed(0);
  const aekit::Json config = config_of("mlp_vae");
  auto model = aekit::models::make_model(config["model"], {1, 28, 28});
  model->train();
  const torch::Tensor x = torch::rand({128, 1, 28, 28});
  torch::optim::Adam torch_adam(model->parameters(), torch::optim::AdamOptions(1e-3));
  aekit::kernels::FusedAdam fused_adam(model->parameters(), torch::optim::AdamOptions(1e-3));
  aekit::models::LossTerms terms;
  model->fused_training_step(x, aekit::Precision::kFloat32, terms);  // every gradient defined
  // As the trainer runs bfloat16 steps: oneDNN's products leave OpenBLAS idle, and torch's pool
  // (the element-wise passes, the Adam update) gets every configured thread.
  const bool all_threads = part == "fused_bfloat16" || part == "fused_adam_all_threads";
  aekit::ScopedTorchThreads threads(all_threads ? aekit::configured_threads()
                                                : at::get_num_threads());
  for (auto _ : state) {
    if (part == "autograd") {
      for (auto& p : model->parameters()) p.mutable_grad().zero_();
      model->training_loss(x, x).total.backward();
    } else if (part == "fused") {
      model->fused_training_step(x, aekit::Precision::kFloat32, terms);
    } else if (part == "fused_bfloat16") {
      model->fused_training_step(x, aekit::Precision::kBFloat16, terms);
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
  set_family_pools(*model);
  for (auto _ : state) {
    benchmark::DoNotOptimize(model->decode(model->encode(x)).data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

// The matrix products of one MLP VAE step at batch 128 (784-400-20), alone, through
// kernels::matmul_out as the fused step calls them (float32: LibTorch/OpenBLAS; bfloat16: oneDNN where
// built in, on every configured thread): the floor of the step, and its GFLOP/s (the counter
// "FLOPS"), i.e. the GEMM ceiling on these shapes.
void BM_MlpVaeGemms(benchmark::State& state, aekit::Precision precision) {
  aekit::configure_threads(0);
  torch::manual_seed(0);
  const int64_t n = 128;
  const auto operand = [precision](const torch::Tensor& t) {
    return aekit::kernels::as_operand(t, precision);
  };
  const torch::Tensor x = operand(torch::rand({n, 784}));
  const torch::Tensor w1 = operand(torch::randn({400, 784})),
                      w_mean = operand(torch::randn({20, 400})),
                      w_logvar = operand(torch::randn({20, 400})),
                      w3 = operand(torch::randn({400, 20})), w4 = operand(torch::randn({784, 400}));
  const torch::Tensor h = operand(torch::rand({n, 400})), z = operand(torch::randn({n, 20})),
                      d_out = operand(torch::randn({n, 784})),
                      d_h = operand(torch::randn({n, 400})),
                      d_code = operand(torch::randn({n, 20}));
  const std::vector<std::pair<torch::Tensor, torch::Tensor>> products{
      // Forward: 5 products; backward: a weight gradient for each layer, input gradients for 4.
      {x, w1.t()},           {h, w_mean.t()}, {h, w_logvar.t()},    {z, w3.t()},
      {h, w4.t()},           {d_out.t(), h},  {d_out, w4},          {d_h.t(), z},
      {d_h, w3},             {d_code.t(), h}, {d_code.t(), h},      {d_code, w_mean},
      {d_code, w_logvar},    {d_h.t(), x}};
  std::vector<torch::Tensor> outputs;
  for (const auto& [a, b] : products) outputs.push_back(torch::empty({a.size(0), b.size(1)}));
  const double flops =
      2.0 * n * (784 * 400 + 2 * 400 * 20 + 20 * 400 + 400 * 784) * 3 - 2.0 * n * 784 * 400;
  aekit::ScopedTorchThreads threads(aekit::kernels::products_use_blas(precision)
                                        ? at::get_num_threads()
                                        : aekit::configured_threads());
  for (auto _ : state) {
    for (size_t i = 0; i < products.size(); ++i) {
      aekit::kernels::matmul_out(outputs[i], products[i].first, products[i].second);
    }
    benchmark::DoNotOptimize(outputs.back().data_ptr());
  }
  state.counters["FLOPS"] = benchmark::Counter(flops * static_cast<double>(state.iterations()),
                                               benchmark::Counter::kIsRate);
}
// Wall-clock time: the products run on several threads.
BENCHMARK_CAPTURE(BM_MlpVaeGemms, float32, aekit::Precision::kFloat32)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_MlpVaeGemms, bfloat16, aekit::Precision::kBFloat16)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_CAPTURE(BM_MlpVaeStepPart, forward_backward_autograd, std::string("autograd"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MlpVaeStepPart, forward_backward_fused, std::string("fused"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MlpVaeStepPart, forward_backward_fused_bfloat16,
                  std::string("fused_bfloat16"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MlpVaeStepPart, adam_libtorch, std::string("torch_adam"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MlpVaeStepPart, adam_fused, std::string("fused_adam"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_MlpVaeStepPart, adam_fused_all_threads, std::string("fused_adam_all_threads"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LstmLayer)
    ->ArgNames({"own", "threads", "batch"})
    ->Args({0, 1, 32})
    ->Args({0, 2, 32})
    ->Args({1, 1, 32})
    ->Args({1, 2, 32})
    ->Args({0, 2, 1024})
    ->Args({1, 2, 1024})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LstmLayerProducts)->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);
// The conv AE's first pooling (32 x 16 x 28 x 28) and its largest transposed convolution
// (32 -> 16 channels, 7 x 7 -> 14 x 14) at batch 32, forward and backward, on aekit's paths
// (own = 1) or LibTorch's (own = 0), with torch's pool on 1 or 2 threads.
void BM_ConvLayer(benchmark::State& state, const std::string& layer) {
  const bool own = state.range(0) != 0;
  aekit::ScopedTorchThreads threads(static_cast<int>(state.range(1)));
  torch::manual_seed(1);
  const bool pool = layer == "pool";
  const torch::Tensor x = torch::randn(pool ? std::vector<int64_t>{32, 16, 28, 28}
                                            : std::vector<int64_t>{32, 32, 7, 7})
                              .requires_grad_(true);
  torch::nn::ConvTranspose2d transposed(
      torch::nn::ConvTranspose2dOptions(32, 16, 3).stride(2).padding(1).output_padding(1));
  const auto run = [&] {
    if (pool) return own ? aekit::nn::max_pool_halve(x) : torch::max_pool2d(x, 2);
    return own ? aekit::nn::transposed_convolution(x, transposed->weight, transposed->bias, {2, 2},
                                                   {1, 1}, {1, 1})
               : transposed->forward(x);
  };
  const torch::Tensor dy = torch::randn(run().sizes());
  for (auto _ : state) {
    const torch::Tensor y = run();
    y.backward(dy);
    benchmark::DoNotOptimize(x.grad().data_ptr());
  }
}
BENCHMARK_CAPTURE(BM_ConvLayer, pool, std::string("pool"))
    ->ArgNames({"own", "threads"})
    ->ArgsProduct({{0, 1}, {1, 2}})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_ConvLayer, transposed, std::string("transposed"))
    ->ArgNames({"own", "threads"})
    ->ArgsProduct({{0, 1}, {1, 2}})
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();

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
