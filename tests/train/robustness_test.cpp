// Extreme data: all-zero and all-one images, constant columns, huge values, extreme posteriors.
#include "aekit/data/csv.h"
#include "aekit/losses/kl.h"
#include "aekit/models/mlp_vae.h"
#include "aekit/train/run_config.h"
#include "aekit/train/trainer.h"
#include "aekit/viz/run_plots.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

using aekit::Json;
using aekit::testing::TempDir;

namespace {

aekit::train::TrainResult train_on(const torch::Tensor& x, const Json& model, const TempDir& dir,
                                   const std::string& name, double lr = 1e-3, int64_t epochs = 3) {
  aekit::data::DataSplits data;
  data.name = name;
  data.train = {x, {}};
  data.test = {x.slice(0, 0, 16), {}};
  const Json config = aekit::train::resolve_config(
      Json{{"model", model}, {"train", {{"epochs", epochs}, {"batch_size", 32}, {"lr", lr}}}, {"runtime", {{"device", "cpu"}}}});
  aekit::train::TrainerOptions options;
  options.progress = false;
  return aekit::train::train(config, data, aekit::train::RunPaths(dir / name), options);
}

const Json kVae = {{"type", "vae"}, {"encoder", {16}}, {"latent_dim", 2}};

}  // namespace

TEST(Robustness, AllZeroAndAllOneImagesTrainToFiniteFallingLoss) {
  TempDir dir;
  for (const float level : {0.0f, 1.0f}) {
    const auto result = train_on(torch::full({256, 1, 6, 6}, level), kVae, dir, "level" + std::to_string(level), 1e-2, 10);
    const double first = result.history[0]["train_loss"].get<double>();
    const double last = result.history[9]["train_loss"].get<double>();
    EXPECT_TRUE(std::isfinite(first) && std::isfinite(last));
    EXPECT_LT(last, first);
    // The decoder learns the constant image: reconstructions are close to it.
    torch::NoGradGuard no_grad;
    const torch::Tensor recon = result.model->decode(result.model->encode(torch::full({4, 1, 6, 6}, level)));
    EXPECT_LT((recon - level).abs().max().item<float>(), 0.2f);
  }
}

TEST(Robustness, ConstantColumnsWithGaussianAutoencoder) {
  TempDir dir;
  torch::Tensor x = torch::rand({200, 5});
  x.select(1, 1).fill_(3.0f);
  x.select(1, 4).fill_(-7.5f);
  const Json model = {{"type", "ae"}, {"encoder", {8}}, {"latent_dim", 2}, {"likelihood", "gaussian"}};
  const auto result = train_on(x, model, dir, "constant");
  for (const auto& epoch : result.history) EXPECT_TRUE(std::isfinite(epoch["train_loss"].get<double>()));
  // Identical codes (a constant dataset) project to 2-D without NaN.
  EXPECT_FALSE(aekit::viz::codes_2d(torch::ones({10, 4})).isnan().any().item<bool>());
}

TEST(Robustness, HugeButFiniteValuesStopWithANamedNonFiniteLoss) {
  TempDir dir;
  const torch::Tensor x = torch::full({64, 4}, 1e30f);
  const Json model = {{"type", "ae"}, {"encoder", {4}}, {"latent_dim", 2}, {"likelihood", "gaussian"}};
  try {
    train_on(x, model, dir, "huge");
    FAIL() << "expected the squared error to overflow";
  } catch (const aekit::RuntimeError& e) {
    EXPECT_NE(std::string(e.what()).find("non-finite loss (inf) at epoch 1, batch 1"), std::string::npos) << e.what();
  }
}

TEST(Robustness, CsvValuesBeyondFloatRangeAreErrors) {
  TempDir dir;
  aekit::testing::write_bytes(dir / "big.csv", "1,2\n3,1e200\n");
  EXPECT_INPUT_ERROR(aekit::data::read_csv(dir / "big.csv"),
                     "big.csv line 2 column 2: 1e200 is outside the float32 range");
}

TEST(Robustness, ExtremeLogVarianceKeepsKlAndSamplesFinite) {
  torch::manual_seed(0);
  aekit::models::MlpVae vae(aekit::models::MlpVaeOptions({4}, 2).encoder({4}));
  {
    torch::NoGradGuard no_grad;
    vae->named_parameters()["logvar.bias"].fill_(1e6);  // a diverged posterior
  }
  const torch::Tensor x = torch::rand({8, 4});
  const auto out = vae->forward(x);
  EXPECT_LE(out.logvar.max().item<double>(), aekit::models::kMaxLogvar);
  EXPECT_TRUE(torch::isfinite(out.z).all().item<bool>());
  EXPECT_TRUE(std::isfinite(vae->loss(x, out).kl.item<double>()));
}
