#pragma once
/// KL divergence of a diagonal Gaussian posterior from the standard normal prior, in closed form:
///
///   KL(N(mu, diag(exp(logvar))) || N(0, I)) = -1/2 * sum_j (1 + logvar_j - mu_j^2 - exp(logvar_j))
///
/// in nats, summed over latent dimensions (the aekit convention: sum over features, mean over batch).

#include <torch/types.h>

namespace aekit::losses {

/// The KL of each latent dimension of each example, N x latent (the terms of the sum above).
torch::Tensor gaussian_kl_per_dimension(const torch::Tensor& mean, const torch::Tensor& logvar);

/// Per-example KL, N values. `mean` and `logvar` are N x latent.
///
/// Example: `auto kl = aekit::losses::gaussian_kl_per_example(mu, logvar);`
torch::Tensor gaussian_kl_per_example(const torch::Tensor& mean, const torch::Tensor& logvar);

/// Mean over the batch of gaussian_kl_per_example; a scalar.
torch::Tensor gaussian_kl(const torch::Tensor& mean, const torch::Tensor& logvar);

}  // namespace aekit::losses
