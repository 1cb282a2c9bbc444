#pragma once
/// A Gaussian mixture with full covariances, fitted by expectation-maximisation: the density of a
/// trained model's codes from which `aekit generate --sampler gmm:K` draws (ex-post density
/// estimation, Ghosh et al. 2020, "From Variational to Deterministic Autoencoders"), so that every
/// family can generate, the deterministic ones included.
///
/// Math: p(z) = sum_k w_k N(z; mu_k, Sigma_k). EM from k-means++ seeds (each next seed drawn with
/// probability proportional to the squared distance to the nearest seed so far), all components
/// starting with the data's covariance and equal weights; E-step: responsibilities
/// r_nk = w_k N(z_n; mu_k, Sigma_k) / p(z_n), through Cholesky factors and log-sum-exp; M-step:
/// N_k = sum_n r_nk, w_k = N_k / N, mu_k = sum_n r_nk z_n / N_k,
/// Sigma_k = sum_n r_nk (z_n - mu_k)(z_n - mu_k)^T / N_k + eps I, eps = 1e-6 times the data's mean
/// variance (keeps every Sigma_k positive definite). Stops when the mean log-likelihood gains less
/// than `tolerance` nats per point, or after `max_iterations`. All in float64.
///
/// Hand-written on torch tensors (about 100 lines): Debian 12 has no mlpack, and Armadillo's
/// gmm_full would bring 15 packages (HDF5, curl) for this one function; the tensors also run on
/// the model's device unchanged.

#include "aekit/core/config.h"

#include <torch/types.h>

#include <filesystem>

namespace aekit::models {

/// A fitted mixture, float64 on the CPU.
struct GaussianMixture {
  torch::Tensor weights;      ///< K, summing to 1
  torch::Tensor means;        ///< K x D
  torch::Tensor covariances;  ///< K x D x D, symmetric positive definite

  int64_t components() const { return weights.size(0); }
  int64_t dimensions() const { return means.size(1); }
  /// log p(z) of each row of `points` (N x D): N values, float64.
  torch::Tensor log_density(const torch::Tensor& points) const;
  /// The most probable component of each row of `points` (N x D): N int64.
  torch::Tensor assign(const torch::Tensor& points) const;
  /// n draws (n x D, float32), from torch's default generator: a component by its weight, then
  /// mu_k + L_k eps with L_k the Cholesky factor of Sigma_k.
  torch::Tensor sample(int64_t n) const;
  /// {"weights": [...], "means": [[...]], "covariances": [[[...]]]}.
  Json to_json() const;
  /// The inverse of to_json; a missing field, a wrong shape, weights that are not a distribution
  /// or a covariance that is not positive definite is an InputError naming `what`.
  static GaussianMixture from_json(const Json& value, const std::string& what);
};

struct MixtureOptions {
  int64_t max_iterations = 200;
  double tolerance = 1e-4;  ///< nats per point
};

/// What fit_gaussian_mixture returns.
struct MixtureFit {
  GaussianMixture mixture;
  double log_likelihood = 0;  ///< mean log p(z) of the points under the fit, nats
  int64_t iterations = 0;
  bool converged = false;
};

/// Fits K components to `points` (N x D, any float type), seeded by `seed`. K must be in [1, N].
///
/// Example:
///   auto fit = aekit::models::fit_gaussian_mixture(codes, 10, 1);
///   torch::Tensor z = fit.mixture.sample(64);
MixtureFit fit_gaussian_mixture(const torch::Tensor& points, int64_t k, uint64_t seed,
                                const MixtureOptions& options = {});

}  // namespace aekit::models
