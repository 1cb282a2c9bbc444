// train.precision "bfloat16" for the convolutional families: autograd over LibTorch's
// convolutions under autocast (nn::AutocastScope), the loss and the parameters in float32.
#include "aekit/models/autoencoder.h"
#include "aekit/nn/autocast.h"
#include "aekit/train/run_config.h"

#include <ATen/autocast_mode.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

namespace {

using aekit::Json;
constexpr auto kFloat32 = aekit::Precision::kFloat32;
constexpr auto kBFloat16 = aekit::Precision::kBFloat16;

aekit::models::Autoencoder make(const Json& keys, const std::vector<int64_t>& shape, uint64_t seed) {
  const Json resolved = aekit::train::resolve_config(Json{{"model", keys}})["model"];
  torch::manual_seed(seed);
  auto model = aekit::models::make_model(resolved, shape);
  model->train();
  return model;
}

struct Case {
  Json keys;
  std::vector<int64_t> shape;
};

// Every shape the convolutional families take: 1 and 3 channels, odd sizes, a volume, both
// likelihoods, a condition.
std::vector<Case> cases() {
  return {
      {Json{{"type", "conv_ae"}, {"filters", {16, 32, 64}}}, {1, 28, 28}},
      {Json{{"type", "conv_ae"}, {"filters", {8, 16}}, {"activation", "relu"}}, {3, 17, 13}},
      {Json{{"type", "conv_ae"}, {"filters", {4, 8}}, {"likelihood", "gaussian"}}, {1, 8, 9, 8}},
      {Json{{"type", "conv_vae"}, {"filters", {32, 64}}, {"dense", {16}}, {"latent_dim", 2}}, {1, 28, 28}},
      {Json{{"type", "conv_vae"}, {"filters", {8, 16}}, {"latent_dim", 3}, {"likelihood", "gaussian"}},
       {3, 15, 18}},
      {Json{{"type", "conv_cvae"}, {"filters", {8, 16}}, {"latent_dim", 2}, {"classes", 3}}, {1, 12, 12}},
  };
}

void set_labels(aekit::models::AutoencoderImpl& model, int64_t n) {
  if (model.classes() > 0) model.set_condition(torch::arange(n) % model.classes());
}

}  // namespace

// One step's loss and gradients in bfloat16 against float32 from the same weights and input: the
// loss within 1%, every gradient within 10% (relative norm), the loss itself float32, and not
// bit-equal (the lower precision did run). Autocast is off again afterwards.
TEST(AutocastStep, ConvolutionalGradientsStayCloseToFloat32ForEveryShape) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.keys.dump());
    auto wide = make(c.keys, c.shape, 4);
    auto narrow = make(c.keys, c.shape, 4);
    ASSERT_TRUE(narrow->training_step(kBFloat16).supported);
    std::vector<int64_t> batch{16};
    batch.insert(batch.end(), c.shape.begin(), c.shape.end());
    torch::manual_seed(5);
    const torch::Tensor x = torch::rand(batch);
    set_labels(*wide, 16);
    set_labels(*narrow, 16);
    torch::manual_seed(6);
    const auto a = wide->training_loss(x, x, kFloat32);
    a.total.backward();
    torch::manual_seed(6);
    const auto b = narrow->training_loss(x, x, kBFloat16);
    EXPECT_FALSE(at::autocast::is_cpu_enabled());
    ASSERT_EQ(b.total.scalar_type(), torch::kFloat32);
    b.total.backward();
    const double want = a.total.item<double>();
    EXPECT_NEAR(b.total.item<double>(), want, 0.01 * std::abs(want));
    const auto reference = wide->named_parameters();
    bool any_different = false;
    for (const auto& item : narrow->named_parameters()) {
      const torch::Tensor& expected = reference[item.key()].grad();
      const torch::Tensor& got = item.value().grad();
      ASSERT_TRUE(got.defined()) << item.key();
      ASSERT_EQ(got.scalar_type(), torch::kFloat32) << item.key();
      const double error = ((got - expected).norm() / expected.norm()).item<double>();
      EXPECT_LT(error, 0.1) << item.key();
      any_different = any_different || !torch::equal(got, expected);
    }
    EXPECT_TRUE(any_different);
  }
}

// Training itself: the same 40 Adam steps in both precisions from the same start end within 3% of
// each other's loss, both far below where they began.
TEST(AutocastStep, ConvolutionalTrainingInBFloat16FollowsFloat32) {
  const Json keys{{"type", "conv_vae"}, {"filters", {8, 16}}, {"latent_dim", 2}};
  torch::manual_seed(11);
  // Images with structure to learn: a bright square at a random place.
  torch::Tensor x = torch::zeros({64, 1, 12, 12});
  for (int64_t i = 0; i < 64; ++i) {
    const int64_t r = i % 8, col = (i / 8) % 8;
    x[i].slice(1, r, r + 4).slice(2, col, col + 4).fill_(1.0);
  }
  double first = 0;
  std::vector<double> last;
  for (const auto precision : {kFloat32, kBFloat16}) {
    auto model = make(keys, {1, 12, 12}, 12);
    torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(3e-3));
    torch::manual_seed(13);
    double loss = 0;
    for (int step = 0; step < 40; ++step) {
      adam.zero_grad();
      const auto terms = model->training_loss(x, x, precision);
      terms.total.backward();
      adam.step();
      if (step == 0) first = terms.total.item<double>();
      loss = terms.total.item<double>();
    }
    last.push_back(loss);
  }
  EXPECT_LT(last[0], 0.8 * first);
  EXPECT_NEAR(last[1], last[0], 0.03 * last[0]);
}

// What the autocast step does not cover is refused with what it needs: the importance-weighted
// bound, and families whose step is not convolutions (the recurrent AE, the MLP AE).
TEST(AutocastStep, WhatItDoesNotCoverTrainsInFloat32Only) {
  const auto iwae = make(Json{{"type", "conv_vae"}, {"filters", {8}}, {"importance_samples", 4}}, {1, 8, 8}, 1);
  const auto step = iwae->training_step(kBFloat16);
  EXPECT_FALSE(step.supported);
  EXPECT_NE(step.requirement.find("importance_samples 1"), std::string::npos) << step.requirement;
  EXPECT_TRUE(iwae->training_step(kFloat32).supported);
  EXPECT_FALSE(make(Json{{"type", "lstm_ae"}}, {1, 28, 28}, 1)->training_step(kBFloat16).supported);
  EXPECT_FALSE(make(Json{{"type", "ae"}, {"encoder", {8}}}, {16}, 1)->training_step(kBFloat16).supported);
  // Scopes nest, and leaving them restores the state found.
  {
    const aekit::nn::AutocastScope outer(kBFloat16, torch::kCPU);
    {
      const aekit::nn::AutocastScope inner(kBFloat16, torch::kCPU);
      const aekit::nn::AutocastScope none(kFloat32, torch::kCPU);
      EXPECT_TRUE(at::autocast::is_cpu_enabled());
    }
    EXPECT_TRUE(at::autocast::is_cpu_enabled());
    EXPECT_EQ(torch::nn::functional::linear(torch::ones({2, 3}), torch::ones({4, 3})).scalar_type(),
              torch::kBFloat16);
  }
  EXPECT_FALSE(at::autocast::is_cpu_enabled());
  EXPECT_EQ(torch::nn::functional::linear(torch::ones({2, 3}), torch::ones({4, 3})).scalar_type(),
            torch::kFloat32);
}
