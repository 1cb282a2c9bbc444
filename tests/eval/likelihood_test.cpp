// The importance-weighted likelihood and the IWAE objective on a linear-Gaussian VAE, whose
// marginal p(x) = N(x; b, W W^T + I/2) and exact posterior are known in closed form.
#include "aekit/data/dataset.h"
#include "aekit/eval/likelihood.h"
#include "aekit/models/mlp_vae.h"
#include "aekit/train/run_config.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

namespace {

constexpr int64_t kFeatures = 6;
constexpr int64_t kLatent = 2;

struct LinearGaussian {
  aekit::models::MlpVae model{nullptr};
  torch::Tensor w;  // D x L, orthogonal columns
  torch::Tensor b;  // D
  torch::Tensor scales;
};

// A VAE with no hidden layers: decoder x = W z + b with Gaussian noise of variance 1/2.
LinearGaussian make_linear_gaussian(bool exact_posterior) {
  torch::manual_seed(7);
  LinearGaussian lg;
  lg.model = aekit::models::MlpVae(aekit::models::MlpVaeOptions({kFeatures}, kLatent)
                                       .encoder({})
                                       .decoder({})
                                       .likelihood(aekit::losses::Likelihood::kGaussian));
  const torch::Tensor q = std::get<0>(torch::linalg_qr(torch::randn({kFeatures, kLatent}, torch::kFloat64)));
  lg.scales = torch::tensor({1.5, 0.7}, torch::kFloat64);
  lg.w = q * lg.scales;
  lg.b = torch::randn({kFeatures}, torch::kFloat64);
  torch::NoGradGuard no_grad;
  auto params = lg.model->named_parameters();
  params["decoder.linear0.weight"].copy_(lg.w);
  params["decoder.linear0.bias"].copy_(lg.b);
  if (exact_posterior) {
    // With orthogonal columns the posterior is diagonal: variance 1 / (1 + 2 s^2), mean
    // 2 * variance * W^T (x - b).
    const torch::Tensor variance = 1.0 / (1.0 + 2.0 * lg.scales.square());
    const torch::Tensor a = 2.0 * variance.unsqueeze(1) * lg.w.t();
    params["mean.weight"].copy_(a);
    params["mean.bias"].copy_(-a.matmul(lg.b));
    params["logvar.weight"].zero_();
    params["logvar.bias"].copy_(variance.log());
  }
  return lg;
}

// log N(x; b, W W^T + I/2) per row of x, in float64.
torch::Tensor exact_log_marginal(const LinearGaussian& lg, const torch::Tensor& x) {
  const torch::Tensor covariance =
      lg.w.matmul(lg.w.t()) + 0.5 * torch::eye(kFeatures, torch::kFloat64);
  const torch::Tensor centred = x.to(torch::kFloat64) - lg.b;
  const torch::Tensor solved = torch::linalg_solve(covariance, centred.t()).t();
  const double log_det = torch::logdet(covariance).item<double>();
  return -0.5 * ((centred * solved).sum(1) + log_det + kFeatures * std::log(2.0 * M_PI));
}

std::vector<std::string> param_names(const aekit::models::MlpVae& model) {
  std::vector<std::string> names;
  for (const auto& item : model->named_parameters()) names.push_back(item.key());
  return names;
}

}  // namespace

TEST(Likelihood, ExactPosteriorGivesTheMarginalForAnyKAndChunking) {
  LinearGaussian lg = make_linear_gaussian(/*exact_posterior=*/true);
  ASSERT_EQ(param_names(lg.model).size(), 6u);
  torch::manual_seed(3);
  const torch::Tensor x = (torch::randn({40, kLatent}, torch::kFloat64).matmul(lg.w.t()) + lg.b +
                           std::sqrt(0.5) * torch::randn({40, kFeatures}, torch::kFloat64))
                              .to(torch::kFloat32);
  const aekit::data::Dataset data{x, {}};
  const torch::Tensor expected = exact_log_marginal(lg, x);
  for (const int64_t k : {1, 37}) {
    aekit::eval::LikelihoodOptions options;
    options.samples = k;
    options.max_rows = 50;  // chunks of the samples and of the examples
    const auto estimate = aekit::eval::estimate_log_likelihood(*lg.model, data, options, torch::kCPU);
    ASSERT_EQ(estimate.per_example.size(0), 40);
    // Every importance weight equals p(x) exactly, so the estimate has no variance.
    EXPECT_LT((estimate.per_example - expected).abs().max().item<double>(), 2e-3) << "k = " << k;
    EXPECT_NEAR(estimate.mean, expected.mean().item<double>(), 1e-3);
    EXPECT_NEAR(estimate.standard_error, expected.std().item<double>() / std::sqrt(40.0), 1e-3);
  }
}

TEST(Likelihood, BoundTightensWithKAndReachesTheMarginal) {
  // An imperfect encoder: the exact posterior's mean map perturbed, its variance too wide.
  LinearGaussian lg = make_linear_gaussian(/*exact_posterior=*/true);
  {
    torch::NoGradGuard no_grad;
    auto params = lg.model->named_parameters();
    params["mean.weight"].add_(0.5 * torch::randn_like(params["mean.weight"]));
    params["logvar.bias"].add_(1.0);
  }
  torch::manual_seed(4);
  const torch::Tensor x = (torch::randn({20, kLatent}, torch::kFloat64).matmul(lg.w.t()) + lg.b +
                           std::sqrt(0.5) * torch::randn({20, kFeatures}, torch::kFloat64))
                              .to(torch::kFloat32);
  const aekit::data::Dataset data{x, {}};
  const double exact = exact_log_marginal(lg, x).mean().item<double>();
  const auto estimate = [&](int64_t k) {
    torch::manual_seed(5);
    aekit::eval::LikelihoodOptions options;
    options.samples = k;
    return aekit::eval::estimate_log_likelihood(*lg.model, data, options, torch::kCPU).mean;
  };
  const double elbo = estimate(1);
  const double iwae = estimate(5000);
  // The single-sample ELBO falls short of log p(x) by the posterior mismatch; 5000 samples close
  // the gap to within a few hundredths of a nat.
  EXPECT_LT(elbo, exact - 0.2) << "ELBO " << elbo << ", exact " << exact;
  EXPECT_NEAR(iwae, exact, 0.03) << "ELBO " << elbo;
}

TEST(Likelihood, IwaeObjectiveEqualsTheNegativeMarginalUnderTheExactPosterior) {
  LinearGaussian lg = make_linear_gaussian(/*exact_posterior=*/true);
  aekit::models::Objective objective;
  objective.importance_samples = 8;
  lg.model->set_objective(objective);
  torch::manual_seed(6);
  const torch::Tensor x = torch::randn({16, kFeatures});
  const auto terms = lg.model->training_loss(x, x);
  EXPECT_NEAR(terms.total.item<double>(), -exact_log_marginal(lg, x).mean().item<double>(), 2e-3);
  terms.total.backward();
  for (const auto& p : lg.model->parameters()) {
    ASSERT_TRUE(p.grad().defined());
    EXPECT_TRUE(torch::isfinite(p.grad()).all().item<bool>());
  }
}

TEST(Likelihood, ConfigAndModelErrorsNameTheKey) {
  using aekit::Json;
  EXPECT_INPUT_ERROR(aekit::train::resolve_config(
                         Json{{"model", {{"type", "ae"}, {"importance_samples", 5}}}}),
                     "needs a VAE (model.type 'vae', 'conv_vae', 'cvae', 'conv_cvae'), found model.type 'ae'");
  EXPECT_INPUT_ERROR(aekit::train::resolve_config(
                         Json{{"model", {{"type", "vae"}, {"importance_samples", 0}}}}),
                     "model.importance_samples");
  EXPECT_INPUT_ERROR(aekit::train::resolve_config(Json{
                         {"model", {{"type", "vae"}, {"beta", 4.0}, {"importance_samples", 5}}}}),
                     "beta = 1");
  EXPECT_INPUT_ERROR(aekit::train::resolve_config(Json{{"train", {{"binarize", "yes"}}}}),
                     "train.binarize");
  const Json ae = aekit::train::resolve_config(Json{{"model", {{"type", "ae"}}}})["model"];
  auto model = aekit::models::make_model(ae, {1, 4, 4});
  aekit::data::Dataset data{torch::rand({3, 1, 4, 4}), {}};
  EXPECT_INPUT_ERROR(aekit::eval::estimate_log_likelihood(*model, data, {}, torch::kCPU),
                     "no posterior");
}

TEST(Binarize, SeededBernoulliOfTheGreyLevels) {
  const torch::Tensor grey = torch::full({200, 50}, 0.3);
  const torch::Tensor a = aekit::data::binarize(grey, 11);
  const torch::Tensor b = aekit::data::binarize(grey, 11);
  EXPECT_TRUE(torch::equal(a, b));
  EXPECT_FALSE(torch::equal(a, aekit::data::binarize(grey, 12)));
  EXPECT_TRUE(((a == 0) | (a == 1)).all().item<bool>());
  EXPECT_NEAR(a.mean().item<double>(), 0.3, 0.01);  // 10,000 draws: sd 0.0046
  EXPECT_INPUT_ERROR(aekit::data::check_unit_interval(grey + 1, "train.binarize"),
                     "train.binarize: expected values in [0, 1] to binarize");
}
