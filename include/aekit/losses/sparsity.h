#pragma once
/// Sparsity penalties on a coding layer (the sparse autoencoder).
///
/// Math, for codes h (N x units):
///   KL:  rho_hat_j = mean over the batch of h_j (activations in (0, 1), e.g. a sigmoid layer);
///        penalty = weight * sum_j [rho log(rho / rho_hat_j) + (1 - rho) log((1 - rho) / (1 -
///        rho_hat_j))]
///   L1:  penalty = weight * mean over the batch of sum_j |h_j|
/// Both are added to the per-example loss as they are (the Keras activity-regularizer convention).

#include <torch/types.h>

#include <string>

namespace aekit::losses {

enum class SparsityKind { kNone, kKl, kL1 };

/// "none", "kl" or "l1" (case-insensitive); throws InputError naming `context`.
SparsityKind parse_sparsity(const std::string& name, const std::string& context = "sparsity");

/// A sparsity penalty and its settings.
struct Sparsity {
  SparsityKind kind = SparsityKind::kNone;
  double target = 0.1;   ///< rho, the wanted mean activation (KL only), in (0, 1)
  double weight = 0.05;  ///< multiplies the penalty
};

/// The penalty for codes h (N x units); a scalar, zero for kNone.
///
/// Example: `auto p = sparsity_penalty({SparsityKind::kKl, 0.1, 0.05}, codes);`
torch::Tensor sparsity_penalty(const Sparsity& sparsity, const torch::Tensor& codes);

}  // namespace aekit::losses
