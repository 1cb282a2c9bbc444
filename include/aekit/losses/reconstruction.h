#pragma once
/// Reconstruction terms. Convention for every aekit loss: **sum over the features of one example,
/// mean over the batch**, in nats for likelihoods (the convention of PyTorch's VAE example and the
/// Keras recipes, so numbers compare directly).

#include <torch/types.h>

#include <string>

namespace aekit::losses {

/// The decoder's output distribution.
enum class Likelihood {
  /// Bernoulli per feature; the decoder emits logits; loss = binary cross-entropy on logits, for
  /// targets in [0, 1] (grey levels are allowed, as in the seed recipes).
  kBernoulli,
  /// Gaussian with fixed variance 1/2; the decoder emits values; loss = squared error, which is
  /// -log p(x|z) up to the constant (D / 2) log(pi) for D features.
  kGaussian,
};

/// How a per-example loss is reduced over the features of one example.
enum class Reduction {
  /// Summed over features (nats per example; PyTorch's VAE example).
  kSum,
  /// Averaged over features: the per-example sum divided by the number of features (the Keras
  /// losses `binary_crossentropy` and `mse`, and the Keras recipes built on them).
  kMean,
};

/// "sum" or "mean" (case-insensitive); throws InputError naming `context`.
Reduction parse_reduction(const std::string& name, const std::string& context = "reduction");
std::string reduction_name(Reduction reduction);

/// "bernoulli" or "gaussian" (case-insensitive); throws InputError naming `context`.
Likelihood parse_likelihood(const std::string& name, const std::string& context = "likelihood");
std::string likelihood_name(Likelihood likelihood);

/// Per-example reconstruction loss, N values: sum over features of BCE-on-logits (Bernoulli) or
/// squared error (Gaussian). `output` and `target` have the same shape, batch first.
///
/// Example: `auto per_example = reconstruction_loss_per_example(Likelihood::kBernoulli, logits,
/// x);`
torch::Tensor reconstruction_loss_per_example(Likelihood likelihood, const torch::Tensor& output,
                                              const torch::Tensor& target);

/// log p(target | output) per example, N values, in nats: the negative reconstruction loss, minus
/// (D / 2) log(pi) for the Gaussian's normalising constant (D features per example).
torch::Tensor log_likelihood_per_example(Likelihood likelihood, const torch::Tensor& output,
                                         const torch::Tensor& target);

/// The constant that turns a reconstruction loss into a log-density: log p(x|z) = -loss + offset;
/// 0 for Bernoulli, -(D / 2) log(pi) for the Gaussian of variance 1/2 over D features.
double log_likelihood_offset(Likelihood likelihood, int64_t features);

/// Reconstruction loss of k decoded samples per example: `output` is k x N x D (flattened
/// features), `target` N x ...; returns k x N, each summed over the D features.
torch::Tensor sampled_reconstruction_loss(Likelihood likelihood, const torch::Tensor& output,
                                          const torch::Tensor& target);

/// Mean over the batch of reconstruction_loss_per_example; a scalar.
torch::Tensor reconstruction_loss(Likelihood likelihood, const torch::Tensor& output,
                                  const torch::Tensor& target);

/// Maps decoder output to data space: sigmoid(logits) for Bernoulli, identity for Gaussian.
torch::Tensor to_data_space(Likelihood likelihood, const torch::Tensor& output);

}  // namespace aekit::losses
