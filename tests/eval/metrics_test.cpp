#include "aekit/eval/evaluate.h"
#include "aekit/eval/metrics.h"
#include "aekit/models/autoencoder.h"
#include "aekit/train/run_config.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

TEST(Metrics, RoundedAccuracyCountsValuesThatRoundAlike) {
  const torch::Tensor x = torch::tensor({0.0, 0.2, 0.6, 1.0, 0.49});
  const torch::Tensor x_hat = torch::tensor({0.4, 0.7, 0.9, 0.2, 0.51});
  // 0/0 yes, 0/1 no, 1/1 yes, 1/0 no, 0/1 no.
  EXPECT_EQ(aekit::eval::rounded_matches(x, x_hat), 2);
  EXPECT_DOUBLE_EQ(aekit::eval::rounded_accuracy(x, x_hat), 0.4);
  EXPECT_INPUT_ERROR(aekit::eval::rounded_accuracy(x, x_hat.slice(0, 0, 4)), "same shape");
}

TEST(Metrics, PsnrOfAKnownError) {
  const torch::Tensor x = torch::zeros({4, 25});
  const torch::Tensor x_hat = torch::full({4, 25}, 0.1);
  EXPECT_NEAR(aekit::eval::mean_squared_error(x, x_hat), 0.01, 1e-9);
  EXPECT_NEAR(aekit::eval::psnr_from_mse(0.01), 20.0, 1e-9);
  EXPECT_TRUE(std::isinf(aekit::eval::psnr_from_mse(0.0)));
}

TEST(Metrics, EvaluateAgreesWithTheMetricsOnItsOwnReconstructions) {
  torch::manual_seed(2);
  const aekit::Json model_config = aekit::train::resolve_config(
      aekit::Json{{"model", {{"type", "ae"}, {"encoder", {16}}, {"latent_dim", 4}}}})["model"];
  auto model = aekit::models::make_model(model_config, {30});
  aekit::data::Dataset data{torch::rand({70, 30}), {}};
  const auto summary = aekit::eval::evaluate_loss(*model, data, 32, torch::kCPU);
  torch::NoGradGuard no_grad;
  model->eval();
  const torch::Tensor x_hat = model->decode(model->encode(data.features));
  EXPECT_NEAR(summary.rounded_accuracy, aekit::eval::rounded_accuracy(data.features, x_hat), 1e-9);
  EXPECT_NEAR(summary.mse, aekit::eval::mean_squared_error(data.features, x_hat), 1e-7);
  EXPECT_NEAR(summary.psnr, aekit::eval::psnr_from_mse(summary.mse), 1e-9);
  EXPECT_NEAR(summary.code_mean, model->encode(data.features).mean().item<double>(), 1e-5);
  EXPECT_EQ(summary.examples, 70);
}

TEST(Metrics, BinaryCrossEntropyAndSmapeOfAHandWorkedExample) {
  const torch::Tensor x = torch::tensor({0.0, 0.5, 1.0, 0.0});
  const torch::Tensor x_hat = torch::tensor({0.1, 0.5, 0.9, 0.0});
  // -log 0.9, log 2, -log 0.9, and -log(1 - 1e-7) for the exact zero.
  const double bce = (2 * -std::log(0.9) + std::log(2.0) - std::log1p(-1e-7)) / 4;
  EXPECT_NEAR(aekit::eval::binary_cross_entropy(x, x_hat), bce, 1e-6);
  // |0 - 0.1| / 0.05 = 2, 0, 0.1 / 0.95, and 0/0 counted as 0.
  EXPECT_NEAR(aekit::eval::smape(x, x_hat), 100.0 * (2.0 + 0.1 / 0.95) / 4, 1e-4);
  EXPECT_DOUBLE_EQ(aekit::eval::smape(x, x), 0.0);
  EXPECT_INPUT_ERROR(aekit::eval::binary_cross_entropy(x * 2, x_hat), "targets in [0, 1]");
}
