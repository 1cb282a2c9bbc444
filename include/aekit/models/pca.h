#pragma once
/// Principal component analysis: the baseline the linear autoencoder is measured against, and the
/// comparison of subspaces by their principal angles.
///
/// Math: X (N x D) centred on its mean; X = U S V^T (thin SVD); the top-k principal directions are
/// the first k rows of V^T; codes = (X - mean) V_k; reconstruction = codes V_k^T + mean; explained
/// variance of component j = S_j^2 / (N - 1).

#include <torch/types.h>

namespace aekit::models {

/// A fitted PCA, float64.
struct Pca {
  torch::Tensor mean;                ///< 1 x D
  torch::Tensor components;          ///< k x D, orthonormal rows, largest variance first
  torch::Tensor explained_variance;  ///< k
  torch::Tensor total_variance;      ///< scalar: the sum over all D directions

  /// Codes of x (N x D, any float type): N x k, float64.
  torch::Tensor encode(const torch::Tensor& x) const;
  /// Points of codes (N x k): N x D, float64.
  torch::Tensor decode(const torch::Tensor& codes) const;
  /// Mean over examples of the squared reconstruction error summed over features.
  double reconstruction_error(const torch::Tensor& x) const;
};

/// Fits the top `components` principal directions of x (N x ..., flattened to N x D). Throws
/// InputError when components is not in [1, min(N, D)].
///
/// Example:
///   auto pca = aekit::models::fit_pca(splits.train.features, 2);
///   double mse = pca.reconstruction_error(splits.test.features);
Pca fit_pca(const torch::Tensor& x, int64_t components);

/// Principal angles, in degrees and ascending, between the column spaces of a (D x k) and b (D x
/// l): the arc cosines of the singular values of Q_a^T Q_b. The largest is 0 when the spaces
/// coincide.
torch::Tensor principal_angles_degrees(const torch::Tensor& a, const torch::Tensor& b);

}  // namespace aekit::models
