#include "aekit/losses/kl.h"
#include "aekit/losses/reconstruction.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

using aekit::losses::Likelihood;

// KL(N(mu, s^2) || N(0, 1)) by numerical integration of q log(q/p) on a fine grid, per dimension,
// summed over dimensions: an independent reference for the closed form.
TEST(Kl, ClosedFormMatchesNumericalIntegration) {
  torch::manual_seed(0);
  const torch::Tensor mean = torch::randn({3, 4}, torch::kFloat64);
  const torch::Tensor logvar = torch::randn({3, 4}, torch::kFloat64) * 0.8;
  const torch::Tensor closed = aekit::losses::gaussian_kl_per_example(mean, logvar);
  const torch::Tensor grid = torch::linspace(-25, 25, 200001, torch::kFloat64);
  const double step = (grid[1] - grid[0]).item<double>();
  for (int64_t n = 0; n < 3; ++n) {
    double total = 0;
    for (int64_t j = 0; j < 4; ++j) {
      const double mu = mean[n][j].item<double>();
      const double var = std::exp(logvar[n][j].item<double>());
      const torch::Tensor log_q = -0.5 * (grid - mu).square() / var - 0.5 * std::log(2 * M_PI * var);
      const torch::Tensor log_p = -0.5 * grid.square() - 0.5 * std::log(2 * M_PI);
      total += (log_q.exp() * (log_q - log_p)).sum().item<double>() * step;
    }
    EXPECT_NEAR(closed[n].item<double>(), total, 1e-6);
  }
  EXPECT_NEAR(aekit::losses::gaussian_kl(mean, logvar).item<double>(), closed.mean().item<double>(), 1e-12);
}

TEST(Kl, ZeroExactlyAtThePrior) {
  const torch::Tensor zeros = torch::zeros({2, 5});
  EXPECT_EQ(aekit::losses::gaussian_kl(zeros, zeros).item<float>(), 0.0f);
}

TEST(Reconstruction, BceOnLogitsMatchesNaiveFormula) {
  torch::manual_seed(1);
  const torch::Tensor logits = torch::randn({6, 1, 4, 4}, torch::kFloat64) * 3;
  const torch::Tensor target = torch::rand({6, 1, 4, 4}, torch::kFloat64);
  const torch::Tensor p = torch::sigmoid(logits);
  const torch::Tensor naive = -(target * p.log() + (1 - target) * (1 - p).log()).flatten(1).sum(1);
  const torch::Tensor ours = aekit::losses::reconstruction_loss_per_example(Likelihood::kBernoulli, logits, target);
  EXPECT_TRUE(ours.allclose(naive, 1e-10, 1e-10));
  EXPECT_NEAR(aekit::losses::reconstruction_loss(Likelihood::kBernoulli, logits, target).item<double>(),
              naive.mean().item<double>(), 1e-10);
}

TEST(Reconstruction, BceStaysFiniteForExtremeLogits) {
  const torch::Tensor logits = torch::tensor({{-1000.0f, 1000.0f}});
  const torch::Tensor target = torch::tensor({{0.0f, 1.0f}});
  EXPECT_EQ(aekit::losses::reconstruction_loss(Likelihood::kBernoulli, logits, target).item<float>(), 0.0f);
  const torch::Tensor wrong = torch::tensor({{1.0f, 0.0f}});
  EXPECT_FLOAT_EQ(aekit::losses::reconstruction_loss(Likelihood::kBernoulli, logits, wrong).item<float>(), 2000.0f);
}

TEST(Reconstruction, GaussianIsSumOfSquaredErrorsMeanOverBatch) {
  const torch::Tensor out = torch::tensor({{1.0f, 2.0f}, {0.0f, 0.0f}});
  const torch::Tensor x = torch::tensor({{0.0f, 0.0f}, {0.0f, 3.0f}});
  // (1 + 4 + 0 + 9) / 2 examples
  EXPECT_FLOAT_EQ(aekit::losses::reconstruction_loss(Likelihood::kGaussian, out, x).item<float>(), 7.0f);
}

TEST(Reconstruction, CategoryBlocksAreScoredByCrossEntropyAndNormalised) {
  using aekit::losses::CategoryBlocks;
  torch::manual_seed(5);
  // Features: 2 numbers, a block of 3 categories, 1 number.
  const torch::Tensor output = torch::randn({4, 6});
  torch::Tensor target = torch::randn({4, 6});
  target.slice(1, 2, 5) = torch::one_hot(torch::tensor({0, 2, 1, 2}), 3).to(torch::kFloat32);
  const CategoryBlocks blocks{{2, 3}};
  const torch::Tensor loss =
      aekit::losses::reconstruction_loss_per_example(Likelihood::kGaussian, output, target, blocks);
  const torch::Tensor numeric = (output - target).square().index_select(1, torch::tensor({0, 1, 5})).sum(1);
  const torch::Tensor category =
      -(target.slice(1, 2, 5) * torch::log_softmax(output.slice(1, 2, 5), 1)).sum(1);
  EXPECT_TRUE(torch::allclose(loss, numeric + category, 1e-5, 1e-5));
  const auto [by_numeric, by_category] =
      aekit::losses::reconstruction_loss_by_type(Likelihood::kGaussian, output, target, blocks);
  EXPECT_TRUE(torch::allclose(by_numeric, numeric, 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(by_category, category, 1e-5, 1e-5));
  // The categorical part is a normalised distribution: its probabilities over the 3 categories
  // sum to 1 for any logits, and the Gaussian's constant counts the 3 numeric features only.
  double total = 0;
  for (int64_t k = 0; k < 3; ++k) {
    torch::Tensor t = target.slice(0, 0, 1).clone();
    t.slice(1, 2, 5) = torch::one_hot(torch::tensor({k}), 3).to(torch::kFloat32);
    const auto [n, c] = aekit::losses::reconstruction_loss_by_type(
        Likelihood::kGaussian, output.slice(0, 0, 1), t, blocks);
    total += std::exp(-c.item<double>());
  }
  EXPECT_NEAR(total, 1.0, 1e-5);
  EXPECT_NEAR(aekit::losses::log_likelihood_offset(Likelihood::kGaussian, 6, blocks),
              -1.5 * std::log(M_PI), 1e-12);
  // In data space the block holds probabilities; the k-sample form agrees with the per-example one.
  const torch::Tensor probabilities = aekit::losses::to_data_space(Likelihood::kBernoulli, output, blocks);
  EXPECT_TRUE(torch::allclose(probabilities.slice(1, 2, 5).sum(1), torch::ones({4}), 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(probabilities.select(1, 0), torch::sigmoid(output.select(1, 0))));
  const torch::Tensor sampled = aekit::losses::sampled_reconstruction_loss(
      Likelihood::kBernoulli, torch::stack({output, output}), target.clamp(0, 1), blocks);
  const torch::Tensor direct = aekit::losses::reconstruction_loss_per_example(
      Likelihood::kBernoulli, output, target.clamp(0, 1), blocks);
  EXPECT_TRUE(torch::allclose(sampled[1], direct, 1e-5, 1e-5));
}

TEST(Reconstruction, UnknownLikelihoodListsValidNames) {
  try {
    aekit::losses::parse_likelihood("poisson", "config key 'model.likelihood'");
    FAIL() << "expected an error";
  } catch (const aekit::InputError& e) {
    EXPECT_STREQ(e.what(), "config key 'model.likelihood': unknown likelihood 'poisson'; valid: bernoulli, gaussian, categorical");
  }
}
