#include "aekit/models/gaussian_mixture.h"

#include "aekit/core/error.h"
#include "aekit/models/kmeans.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/ATen.h>
#include <torch/types.h>
#include <torch/utils.h>

#include <cmath>
#include <limits>

namespace aekit::models {

namespace {

constexpr double kLogTwoPi = 1.8378770664093453;

// log w_k + log N(z_n; mu_k, Sigma_k): N x K.
torch::Tensor weighted_log_densities(const GaussianMixture& m, const torch::Tensor& z) {
  const torch::Tensor cholesky = at::linalg_cholesky(m.covariances);  // K x D x D
  const int64_t d = m.dimensions();
  std::vector<torch::Tensor> columns;
  for (int64_t k = 0; k < m.components(); ++k) {
    const torch::Tensor l = cholesky[k];
    const torch::Tensor diff = (z - m.means[k]).t();  // D x N
    const torch::Tensor solved = torch::linalg_solve_triangular(l, diff, /*upper=*/false);
    const torch::Tensor mahalanobis = solved.square().sum(0);
    const double log_det = 2 * l.diagonal().log().sum().item<double>();
    columns.push_back(std::log(m.weights[k].item<double>()) -
                      0.5 * (static_cast<double>(d) * kLogTwoPi + log_det + mahalanobis));
  }
  return torch::stack(columns, 1);
}

void check_finite(const torch::Tensor& t, const std::string& what, const std::string& field) {
  AEKIT_CHECK_INPUT(torch::isfinite(t).all().item<bool>(), "{}: '{}' holds a non-finite value", what,
                    field);
}

torch::Tensor tensor_field(const Json& value, const std::string& what, const std::string& field,
                           const std::vector<int64_t>& shape) {
  AEKIT_CHECK_INPUT(value.contains(field), "{}: expected a field '{}'", what, field);
  std::vector<double> flat;
  std::function<void(const Json&)> walk = [&](const Json& v) {
    if (v.is_array()) {
      for (const auto& e : v) walk(e);
    } else {
      AEKIT_CHECK_INPUT(v.is_number(), "{}: '{}' expected numbers, found {}", what, field, v.dump());
      flat.push_back(v.get<double>());
    }
  };
  walk(value[field]);
  int64_t expected = 1;
  for (const int64_t s : shape) expected *= s;
  AEKIT_CHECK_INPUT(static_cast<int64_t>(flat.size()) == expected,
                    "{}: '{}' expected {} numbers, found {}", what, field, expected, flat.size());
  const torch::Tensor t = torch::tensor(flat, torch::kFloat64).reshape(shape);
  check_finite(t, what, field);
  return t;
}

}  // namespace

torch::Tensor GaussianMixture::log_density(const torch::Tensor& points) const {
  return torch::logsumexp(weighted_log_densities(*this, points.to(torch::kCPU, torch::kFloat64)), 1);
}

torch::Tensor GaussianMixture::assign(const torch::Tensor& points) const {
  const torch::Tensor z = points.reshape({points.size(0), -1}).to(torch::kCPU, torch::kFloat64);
  return weighted_log_densities(*this, z).argmax(1);
}

torch::Tensor GaussianMixture::sample(int64_t n) const {
  const torch::Tensor component = torch::multinomial(weights, n, /*replacement=*/true);
  const torch::Tensor cholesky = at::linalg_cholesky(covariances).index_select(0, component);
  const torch::Tensor eps = torch::randn({n, dimensions(), 1}, torch::kFloat64);
  return (means.index_select(0, component) + cholesky.bmm(eps).squeeze(2)).to(torch::kFloat32);
}

Json GaussianMixture::to_json() const {
  const auto as_json = [](const torch::Tensor& t) {
    const torch::Tensor c = t.contiguous();
    Json flat = std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
    // Nest by the trailing dimensions.
    for (int64_t dim = c.dim() - 1; dim >= 1; --dim) {
      Json nested = Json::array();
      const auto size = static_cast<size_t>(c.size(dim));
      for (size_t i = 0; i < flat.size(); i += size) {
        nested.push_back(Json(std::vector<Json>(flat.begin() + static_cast<std::ptrdiff_t>(i),
                                                flat.begin() + static_cast<std::ptrdiff_t>(i + size))));
      }
      flat = nested;
    }
    return flat;
  };
  return Json{{"weights", as_json(weights)}, {"means", as_json(means)},
              {"covariances", as_json(covariances)}};
}

GaussianMixture GaussianMixture::from_json(const Json& value, const std::string& what) {
  AEKIT_CHECK_INPUT(value.is_object() && value.contains("means") && value["means"].is_array() &&
                        !value["means"].empty() && value["means"][0].is_array() &&
                        !value["means"][0].empty(),
                    "{}: expected a Gaussian mixture with 'weights', 'means' (K x D) and "
                    "'covariances' (K x D x D)",
                    what);
  const auto k = static_cast<int64_t>(value["means"].size());
  const auto d = static_cast<int64_t>(value["means"][0].size());
  GaussianMixture m;
  m.weights = tensor_field(value, what, "weights", {k});
  m.means = tensor_field(value, what, "means", {k, d});
  m.covariances = tensor_field(value, what, "covariances", {k, d, d});
  AEKIT_CHECK_INPUT((m.weights > 0).all().item<bool>() &&
                        std::abs(m.weights.sum().item<double>() - 1) < 1e-6,
                    "{}: 'weights' expected positive numbers summing to 1", what);
  const auto info = std::get<1>(torch::linalg_cholesky_ex(m.covariances));
  AEKIT_CHECK_INPUT(info.eq(0).all().item<bool>() &&
                        torch::allclose(m.covariances, m.covariances.transpose(1, 2)),
                    "{}: 'covariances' expected symmetric positive definite matrices", what);
  return m;
}

MixtureFit fit_gaussian_mixture(const torch::Tensor& points, int64_t k, uint64_t seed,
                                const MixtureOptions& options) {
  torch::NoGradGuard no_grad;
  const torch::Tensor z = points.reshape({points.size(0), -1}).to(torch::kCPU, torch::kFloat64);
  const int64_t n = z.size(0);
  const int64_t d = z.size(1);
  AEKIT_CHECK_INPUT(k >= 1 && k <= n, "Gaussian mixture: expected 1 to {} components (one per point at most), found {}", n, k);
  check_finite(z, "Gaussian mixture", "points");
  auto generator = at::detail::createCPUGenerator(seed);
  const torch::Tensor centred = z - z.mean(0);
  const torch::Tensor covariance = n > 1 ? centred.t().mm(centred) / static_cast<double>(n - 1)
                                         : torch::zeros({d, d}, torch::kFloat64);
  const double eps = 1e-6 * std::max(covariance.diagonal().mean().item<double>(), 1e-12);
  const torch::Tensor ridge = eps * torch::eye(d, torch::kFloat64);

  MixtureFit fit;
  GaussianMixture& m = fit.mixture;
  m.weights = torch::full({k}, 1.0 / static_cast<double>(k), torch::kFloat64);
  m.means = kmeans_plus_plus(z, k, generator);
  m.covariances = (covariance + ridge).unsqueeze(0).repeat({k, 1, 1});
  double previous = -std::numeric_limits<double>::infinity();
  for (fit.iterations = 1; fit.iterations <= options.max_iterations; ++fit.iterations) {
    const torch::Tensor log_joint = weighted_log_densities(m, z);  // N x K
    const torch::Tensor log_p = torch::logsumexp(log_joint, 1, /*keepdim=*/true);
    fit.log_likelihood = log_p.mean().item<double>();
    if (fit.log_likelihood - previous < options.tolerance) {
      fit.converged = true;
      break;
    }
    previous = fit.log_likelihood;
    const torch::Tensor r = (log_joint - log_p).exp();  // responsibilities
    const torch::Tensor nk = r.sum(0) + 1e-12;
    m.weights = nk / nk.sum();
    m.means = r.t().mm(z) / nk.unsqueeze(1);
    std::vector<torch::Tensor> covariances;
    for (int64_t c = 0; c < k; ++c) {
      const torch::Tensor diff = z - m.means[c];
      covariances.push_back((diff * r.select(1, c).unsqueeze(1)).t().mm(diff) / nk[c] + ridge);
    }
    m.covariances = torch::stack(covariances);
    m.covariances = 0.5 * (m.covariances + m.covariances.transpose(1, 2));
  }
  fit.iterations = std::min(fit.iterations, options.max_iterations);
  return fit;
}

}  // namespace aekit::models
