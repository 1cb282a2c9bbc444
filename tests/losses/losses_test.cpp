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

TEST(Reconstruction, UnknownLikelihoodListsValidNames) {
  try {
    aekit::losses::parse_likelihood("poisson", "config key 'model.likelihood'");
    FAIL() << "expected an error";
  } catch (const aekit::InputError& e) {
    EXPECT_STREQ(e.what(), "config key 'model.likelihood': unknown likelihood 'poisson'; valid: bernoulli, gaussian");
  }
}
