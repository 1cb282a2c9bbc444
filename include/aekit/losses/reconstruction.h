#pragma once
/// Reconstruction terms. Convention for every aekit loss: **sum over the features of one example,
/// mean over the batch**, in nats for likelihoods (the convention of PyTorch's VAE example and the
/// Keras recipes, so numbers compare directly).

#include <torch/types.h>

#include <string>
#include <utility>
#include <vector>

namespace aekit::losses {

/// The decoder's output distribution.
enum class Likelihood {
  /// Bernoulli per feature; the decoder emits logits; loss = binary cross-entropy on logits, for
  /// targets in [0, 1] (grey levels are allowed, as in the seed recipes).
  kBernoulli,
  /// Gaussian with fixed variance 1/2; the decoder emits values; loss = squared error, which is
  /// -log p(x|z) up to the constant (D / 2) log(pi) for D features.
  kGaussian,
  /// Categorical over a vocabulary at each position of a token sequence; the decoder emits
  /// N x T x V logits for N x T targets of token ids; loss = softmax cross-entropy summed over the
  /// positions whose target is not padding (id 0, data/smiles.h). Only token-sequence families
  /// (seq_vae) take it.
  kCategorical,
};

/// Features that hold a one-hot category (a table's categorical column, data/preprocessing.h):
/// [begin, begin + size) of the flattened features. The decoder emits logits for them, scored by
/// softmax cross-entropy (the categorical log-likelihood), whatever the likelihood of the other
/// features; to_data_space() turns them into probabilities.
struct CategoryBlock {
  int64_t begin = 0;
  int64_t size = 0;
};
using CategoryBlocks = std::vector<CategoryBlock>;

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

/// "bernoulli", "gaussian" or "categorical" (case-insensitive); throws InputError naming `context`.
Likelihood parse_likelihood(const std::string& name, const std::string& context = "likelihood");
std::string likelihood_name(Likelihood likelihood);

/// Per-example reconstruction loss, N values: sum over features of BCE-on-logits (Bernoulli) or
/// squared error (Gaussian), and over `categories` blocks of softmax cross-entropy. `output` and
/// `target` have the same shape, batch first.
///
/// Example: `auto per_example = reconstruction_loss_per_example(Likelihood::kBernoulli, logits,
/// x);`
torch::Tensor reconstruction_loss_per_example(Likelihood likelihood, const torch::Tensor& output,
                                              const torch::Tensor& target,
                                              const CategoryBlocks& categories = {});

/// The same loss split by feature type: N values for the numeric features (`likelihood`'s term)
/// and N for the category blocks (cross-entropy); their sum is reconstruction_loss_per_example.
std::pair<torch::Tensor, torch::Tensor> reconstruction_loss_by_type(
    Likelihood likelihood, const torch::Tensor& output, const torch::Tensor& target,
    const CategoryBlocks& categories);

/// log p(target | output) per example, N values, in nats: the negative reconstruction loss, minus
/// (D / 2) log(pi) for the Gaussian's normalising constant (D numeric features per example).
torch::Tensor log_likelihood_per_example(Likelihood likelihood, const torch::Tensor& output,
                                         const torch::Tensor& target,
                                         const CategoryBlocks& categories = {});

/// The constant that turns a reconstruction loss into a log-density: log p(x|z) = -loss + offset;
/// 0 for Bernoulli, -(D / 2) log(pi) for the Gaussian of variance 1/2 over the D of `features`
/// that lie outside `categories`.
double log_likelihood_offset(Likelihood likelihood, int64_t features,
                             const CategoryBlocks& categories = {});

/// Reconstruction loss of k decoded samples per example: `output` is k x N x D (flattened
/// features), `target` N x ...; returns k x N, each summed over the D features.
torch::Tensor sampled_reconstruction_loss(Likelihood likelihood, const torch::Tensor& output,
                                          const torch::Tensor& target,
                                          const CategoryBlocks& categories = {});

/// Mean over the batch of reconstruction_loss_per_example; a scalar.
torch::Tensor reconstruction_loss(Likelihood likelihood, const torch::Tensor& output,
                                  const torch::Tensor& target,
                                  const CategoryBlocks& categories = {});

/// Maps decoder output to data space: sigmoid(logits) for Bernoulli, identity for Gaussian, and
/// the softmax of each category block; for categorical, each position's most likely token id
/// (float32, N x T).
torch::Tensor to_data_space(Likelihood likelihood, const torch::Tensor& output,
                            const CategoryBlocks& categories = {});

}  // namespace aekit::losses
