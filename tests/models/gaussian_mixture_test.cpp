#include "aekit/models/gaussian_mixture.h"
#include "aekit/eval/samplers.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace {

using aekit::models::GaussianMixture;

// The mixture 0.3 N((-3, 0), [[1, .5], [.5, 1]]) + 0.7 N((3, 1), diag(0.5, 2)), float64.
GaussianMixture truth() {
  GaussianMixture m;
  m.weights = torch::tensor({0.3, 0.7}, torch::kFloat64);
  m.means = torch::tensor({-3.0, 0.0, 3.0, 1.0}, torch::kFloat64).reshape({2, 2});
  m.covariances = torch::tensor({1.0, 0.5, 0.5, 1.0, 0.5, 0.0, 0.0, 2.0}, torch::kFloat64).reshape({2, 2, 2});
  return m;
}

}  // namespace

TEST(GaussianMixture, RecoversTheComponentsOfAKnownMixture) {
  torch::manual_seed(1);
  const GaussianMixture real = truth();
  const torch::Tensor points = real.sample(6000);
  const auto fit = aekit::models::fit_gaussian_mixture(points, 2, 7);
  EXPECT_TRUE(fit.converged);
  const GaussianMixture& m = fit.mixture;
  // Order the fitted components by their first coordinate, as the truth is.
  const torch::Tensor order = m.means.select(1, 0).argsort();
  EXPECT_TRUE(torch::allclose(m.weights.index_select(0, order), real.weights, 0, 0.02));
  EXPECT_TRUE(torch::allclose(m.means.index_select(0, order), real.means, 0, 0.08));
  EXPECT_TRUE(torch::allclose(m.covariances.index_select(0, order), real.covariances, 0, 0.12));
  // The reported log-likelihood is the mean log density of the points under the fit.
  EXPECT_NEAR(m.log_density(points).mean().item<double>(), fit.log_likelihood, 1e-3);
  // On new points the two-component fit explains the data far better than one Gaussian.
  const torch::Tensor held_out = real.sample(3000);
  const auto single = aekit::models::fit_gaussian_mixture(points, 1, 7);
  EXPECT_GT(m.log_density(held_out).mean().item<double>(),
            single.mixture.log_density(held_out).mean().item<double>() + 0.3);
  EXPECT_NEAR(m.log_density(held_out).mean().item<double>(), real.log_density(held_out).mean().item<double>(), 0.02);
}

TEST(GaussianMixture, SamplesHaveTheMixturesMoments) {
  torch::manual_seed(2);
  const GaussianMixture m = truth();
  const torch::Tensor z = m.sample(40000).to(torch::kFloat64);
  // Mean sum_k w_k mu_k; covariance sum_k w_k (Sigma_k + mu_k mu_k^T) - mean mean^T.
  const torch::Tensor mean = m.weights.matmul(m.means);
  const torch::Tensor second = (m.weights.view({2, 1, 1}) *
                                (m.covariances + m.means.unsqueeze(2).bmm(m.means.unsqueeze(1)))).sum(0);
  const torch::Tensor covariance = second - mean.unsqueeze(1).mm(mean.unsqueeze(0));
  EXPECT_TRUE(torch::allclose(z.mean(0), mean, 0, 0.05));
  const torch::Tensor centred = z - z.mean(0);
  EXPECT_TRUE(torch::allclose(centred.t().mm(centred) / 39999.0, covariance, 0.03, 0.05));
}

TEST(GaussianMixture, JsonRoundTripAndItsErrors) {
  const GaussianMixture m = truth();
  const GaussianMixture back = GaussianMixture::from_json(m.to_json(), "mixture.json");
  EXPECT_TRUE(torch::equal(back.weights, m.weights));
  EXPECT_TRUE(torch::equal(back.means, m.means));
  EXPECT_TRUE(torch::equal(back.covariances, m.covariances));

  aekit::Json bad = m.to_json();
  bad["weights"] = {0.3, 0.6};
  EXPECT_INPUT_ERROR(GaussianMixture::from_json(bad, "mixture.json"),
                     "mixture.json: 'weights' expected positive numbers summing to 1");
  bad = m.to_json();
  bad["covariances"][1] = {{1.0, 2.0}, {2.0, 1.0}};
  EXPECT_INPUT_ERROR(GaussianMixture::from_json(bad, "mixture.json"), "symmetric positive definite");
  bad = m.to_json();
  bad["means"][1] = {1.0, 2.0, 3.0};
  EXPECT_INPUT_ERROR(GaussianMixture::from_json(bad, "mixture.json"), "'means' expected 4 numbers, found 5");
  bad = m.to_json();
  bad.erase("covariances");
  EXPECT_INPUT_ERROR(GaussianMixture::from_json(bad, "mixture.json"), "expected a field 'covariances'");
  EXPECT_INPUT_ERROR(GaussianMixture::from_json(aekit::Json::array(), "m.json"), "m.json: expected a Gaussian mixture");
  EXPECT_INPUT_ERROR(aekit::models::fit_gaussian_mixture(torch::randn({5, 2}), 0, 1), "found 0");
  EXPECT_INPUT_ERROR(aekit::models::fit_gaussian_mixture(torch::randn({5, 2}), 6, 1), "expected 1 to 5 components");
}

TEST(GaussianMixture, SamplerNamesParse) {
  using aekit::eval::SamplerSpec;
  EXPECT_FALSE(SamplerSpec::parse("prior", "--sampler").mixture);
  EXPECT_EQ(SamplerSpec::parse("gmm", "--sampler").components, 10);
  EXPECT_EQ(SamplerSpec::parse("gmm:3", "--sampler").name(), "gmm:3");
  EXPECT_INPUT_ERROR(SamplerSpec::parse("gmm:0", "--sampler"), "--sampler: expected K >= 1 components, found 0");
  EXPECT_INPUT_ERROR(SamplerSpec::parse("gmm:x", "--sampler"), "expected prior, uniform, gmm or gmm:K");
  EXPECT_INPUT_ERROR(SamplerSpec::parse("uniformly", "--sampler"), "found 'uniformly'");
  const SamplerSpec uniform = SamplerSpec::parse("uniform", "--sampler");
  EXPECT_TRUE(uniform.uniform);
  EXPECT_FALSE(uniform.mixture);
  EXPECT_EQ(uniform.name(), "uniform");
}
