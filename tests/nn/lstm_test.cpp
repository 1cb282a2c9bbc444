#include "aekit/nn/lstm.h"

#include "aekit/core/runtime.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <limits>
#include <tuple>

namespace {

struct Shape {
  int64_t batch, steps, features, hidden;
  bool repeated;  // the input is one step expanded over time, as the decoder's code
};

torch::nn::LSTM make_layer(int64_t features, int64_t hidden) {
  return torch::nn::LSTM(torch::nn::LSTMOptions(features, hidden).batch_first(true));
}

// Outputs and the gradients of every parameter and of the input, from `layer` (torch's LSTM or
// aekit's recurrence) on `input` [B, T, F] (or [B, 1, F] repeated over `steps`), under the loss
// sum(output * weights).
std::vector<torch::Tensor> outputs_and_gradients(torch::nn::LSTM& layer, const torch::Tensor& input,
                                                 int64_t steps, bool repeated, bool own,
                                                 const torch::Tensor& weights) {
  layer->zero_grad();
  torch::Tensor x = input.detach().clone().requires_grad_(true);
  const torch::Tensor sequence =
      repeated ? x.expand({x.size(0), steps, x.size(2)}) : x;
  const torch::Tensor out =
      own ? aekit::nn::run_lstm(layer, sequence) : std::get<0>(layer->forward(sequence));
  (out * weights.to(out.scalar_type())).sum().backward();
  std::vector<torch::Tensor> result{out.detach().to(torch::kFloat64)};
  for (auto& p : layer->parameters()) result.push_back(p.grad().to(torch::kFloat64));
  result.push_back(x.grad().to(torch::kFloat64));
  return result;
}

}  // namespace

// aekit's recurrence against torch's LSTM on the same parameters: the outputs, and the gradients
// of every parameter and of the input, each compared with torch's LSTM run in float64. aekit's
// float32 error must stay within 4 times torch's own float32 error (plus 1e-5 of the values' size;
// measured: at most 2.8 times), for shapes the recurrent family allows: odd sizes, one step, one row, an input repeated over
// time as the decoder's code, and wide weights that saturate the gates.
TEST(Lstm, OutputsAndGradientsEqualTorchLstm) {
  const std::vector<Shape> shapes = {{32, 28, 28, 100, false}, {32, 28, 30, 100, true},
                                     {7, 5, 3, 13, false},     {1, 1, 4, 6, false},
                                     {3, 9, 5, 1, true},       {5, 2, 11, 17, false}};
  const char* names[] = {"output", "weight_ih", "weight_hh", "bias_ih", "bias_hh", "input"};
  // Two threads, each running the recurrence on its own rows (one when a batch is too small).
  const aekit::ScopedTorchThreads threads(2);
  for (const double scale : {1.0, 8.0}) {
    for (const Shape& s : shapes) {
      // Saturated gates over 28 steps are chaotic: any change in the order of a sum (another
      // split of a product) grows from step to step to 1e-4 of the values, in torch's own LSTM
      // as much as here. Wide weights are tried on the shorter sequences.
      if (scale > 1.0 && s.steps > 10) continue;
      SCOPED_TRACE(::testing::Message() << "B=" << s.batch << " T=" << s.steps << " F="
                                        << s.features << " H=" << s.hidden << " repeated="
                                        << s.repeated << " scale=" << scale);
      torch::manual_seed(s.batch * 100 + s.hidden);
      auto layer = make_layer(s.features, s.hidden);
      {
        torch::NoGradGuard no_grad;
        for (auto& p : layer->parameters()) p.mul_(scale);
      }
      const torch::Tensor input = torch::randn({s.batch, s.repeated ? 1 : s.steps, s.features});
      const torch::Tensor weights = torch::randn({s.batch, s.steps, s.hidden});
      ASSERT_TRUE(aekit::nn::runs_own_lstm(
          layer, s.repeated ? input.expand({s.batch, s.steps, s.features}) : input));

      const auto own = outputs_and_gradients(layer, input, s.steps, s.repeated, true, weights);
      const auto torch32 = outputs_and_gradients(layer, input, s.steps, s.repeated, false, weights);
      layer->to(torch::kFloat64);
      const auto exact = outputs_and_gradients(layer, input.to(torch::kFloat64), s.steps,
                                               s.repeated, false, weights);
      ASSERT_EQ(own.size(), exact.size());
      for (size_t i = 0; i < exact.size(); ++i) {
        ASSERT_EQ(own[i].sizes(), exact[i].sizes()) << names[i];
        const double size = std::max(1.0, exact[i].abs().max().item<double>());
        const double own_error = (own[i] - exact[i]).abs().max().item<double>();
        const double torch_error = (torch32[i] - exact[i]).abs().max().item<double>();
        EXPECT_LE(own_error, 4.0 * torch_error + 1e-5 * size)
            << names[i] << ": torch float32 error " << torch_error << ", size " << size;
      }
    }
  }
}

// The recurrent weights carry state from step to step: zeroing them changes every step after the
// first, and the result still equals torch's LSTM.
TEST(Lstm, OutputsDependOnTheRecurrentWeights) {
  torch::manual_seed(3);
  auto layer = make_layer(4, 8);
  const torch::Tensor x = torch::randn({2, 6, 4});
  const torch::Tensor with = aekit::nn::run_lstm(layer, x).detach();
  {
    torch::NoGradGuard no_grad;
    layer->named_parameters()["weight_hh_l0"].zero_();
  }
  const torch::Tensor without = aekit::nn::run_lstm(layer, x).detach();
  EXPECT_TRUE(torch::allclose(without, std::get<0>(layer->forward(x)).detach(), 1e-5, 1e-5));
  EXPECT_GT((with - without).abs().max().item<float>(), 1e-3f);
  // The first step sees no recurrence.
  EXPECT_TRUE(torch::allclose(with.select(1, 0), without.select(1, 0), 1e-6, 1e-6));
}

// Layers and inputs it does not cover take torch's LSTM: stacked, bidirectional, double.
TEST(Lstm, OtherLayersAndTypesTakeTorchLstm) {
  auto stacked = torch::nn::LSTM(torch::nn::LSTMOptions(4, 8).num_layers(2).batch_first(true));
  auto bidirectional =
      torch::nn::LSTM(torch::nn::LSTMOptions(4, 8).bidirectional(true).batch_first(true));
  auto plain = make_layer(4, 8);
  const torch::Tensor x = torch::randn({2, 3, 4});
  EXPECT_FALSE(aekit::nn::runs_own_lstm(stacked, x));
  EXPECT_FALSE(aekit::nn::runs_own_lstm(bidirectional, x));
  EXPECT_FALSE(aekit::nn::runs_own_lstm(plain, x.to(torch::kFloat64)));
  EXPECT_TRUE(aekit::nn::runs_own_lstm(plain, x));
  EXPECT_EQ(aekit::nn::run_lstm(stacked, x).sizes(), (std::vector<int64_t>{2, 3, 8}));
  EXPECT_EQ(aekit::nn::run_lstm(bidirectional, x).sizes(), (std::vector<int64_t>{2, 3, 16}));
}

// A NaN in one row's input reaches that row's outputs from its step on, as in torch's LSTM, and no
// other row (the trainer stops on a non-finite loss; the recurrence must neither hide nor spread it).
TEST(Lstm, ANaNInputReachesItsOwnRowAsInTorchsLstm) {
  torch::manual_seed(6);
  auto layer = make_layer(3, 5);
  torch::Tensor x = torch::randn({16, 4, 3});
  x[2][1][0] = std::numeric_limits<float>::quiet_NaN();
  const aekit::ScopedTorchThreads threads(2);
  const torch::Tensor own = aekit::nn::run_lstm(layer, x).detach();
  const torch::Tensor ref = std::get<0>(layer->forward(x)).detach();
  EXPECT_TRUE(torch::equal(own.isnan(), ref.isnan()));
  EXPECT_TRUE(own[2].slice(0, 1).isnan().all().item<bool>());
  EXPECT_FALSE(own[2][0].isnan().any().item<bool>());
  EXPECT_EQ(own.isnan().sum().item<int64_t>(), 3 * 5);
}
