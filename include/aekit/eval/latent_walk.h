#pragma once
/// Walking a model's latent space: paths between two codes (interpolation), sweeps of one
/// dimension at a time (traversals), and which dimensions a VAE uses (KL per dimension, active
/// units). Codes are N x latent_dim, as encode() returns them.

#include "aekit/data/dataset.h"
#include "aekit/models/autoencoder.h"

#include <string>
#include <vector>

namespace aekit::eval {

/// How a path between two codes runs.
enum class PathMode {
  kLerp,   ///< (1 - t) a + t b
  kSlerp,  ///< sin((1 - t) w) / sin w * a + sin(t w) / sin w * b, w the angle between a and b
};

/// "lerp" or "slerp"; anything else is an InputError naming `what`.
PathMode parse_path_mode(const std::string& name, const std::string& what);
std::string path_mode_name(PathMode mode);

/// `steps` codes (steps x latent) on the path from the code `from` to the code `to` (each a
/// latent_dim vector), at t = i / (steps - 1). Row 0 is `from` and row steps - 1 is `to`, value
/// for value. slerp falls back to lerp where the angle is below 1e-6 or a code is zero. steps >= 2.
///
/// Example: `auto path = aekit::eval::interpolate_codes(codes[0], codes[1], 10, PathMode::kSlerp);`
torch::Tensor interpolate_codes(const torch::Tensor& from, const torch::Tensor& to, int64_t steps,
                                PathMode mode);

/// z at the standard normal inverse CDF of `n` (>= 2) evenly spaced values in (0.05, 0.95),
/// float64: z_i = Phi^-1(0.05 + 0.9 * i / (n - 1)). The axis of the manifold grid and of
/// traversals.
torch::Tensor normal_quantile_grid(int64_t n);

/// Decodes codes (N x latent_dim) in batches in eval mode without gradients: N x sample shape on
/// the CPU (probabilities for a Bernoulli likelihood).
torch::Tensor decode_all(models::AutoencoderImpl& model, const torch::Tensor& codes,
                         const torch::Device& device, int64_t batch_size = 1000);

/// KL(q(z_d | x) || N(0, 1)) of each latent dimension d, the mean over the samples of `features`:
/// a latent_dim vector (float64, CPU) in nats, summing to the model's KL term. Models without a
/// posterior (the deterministic families) are an InputError. Conditional models take each
/// sample's class from `labels`.
torch::Tensor kl_per_dimension(models::AutoencoderImpl& model, const torch::Tensor& features,
                               const torch::Device& device, const torch::Tensor& labels = {},
                               int64_t batch_size = 1000);

/// The KL above which a dimension counts as active (in use by the encoder), in nats.
constexpr double kActiveUnitKl = 0.01;

/// How many entries of `kl` (kl_per_dimension) exceed `threshold`.
int64_t count_active_units(const torch::Tensor& kl, double threshold = kActiveUnitKl);

/// The codes of a traversal: one row per latent dimension, each the base code with that
/// dimension swept over `steps` values.
struct Traversal {
  std::vector<int64_t> dims;  ///< the dimension of each row, in row order
  torch::Tensor values;       ///< rows x steps: the values each row's dimension takes
  torch::Tensor codes;        ///< (rows * steps) x latent, float32: row r, step s at r * steps + s
  torch::Tensor order_key;    ///< latent_dim: what the rows are ordered by (largest first)
  std::string order_name;     ///< what order_key is: "KL to the prior (nats)" or "code variance"
};

/// Plans a traversal around `base` (a latent_dim code; undefined: the prior's mean 0 for models
/// with a posterior, the mean code of `reference` otherwise) for the dimensions `dims` (empty: all),
/// each swept over z = Phi^-1(p) at `steps` (>= 2) even values of p in (0.05, 0.95) (the
/// manifold grid of viz/run_plots.h, generalised to any latent size). Models with a posterior
/// sweep the prior's quantiles and order rows by each dimension's KL to the prior on
/// `reference` (inactive dimensions last); deterministic models sweep mean_d + sd_d * z of their
/// codes of `reference` and order rows by the codes' variance. A dimension out of range or given
/// twice is an InputError.
Traversal plan_traversal(models::AutoencoderImpl& model, const data::Dataset& reference,
                         const torch::Tensor& base, std::vector<int64_t> dims, int64_t steps,
                         const torch::Device& device);

}  // namespace aekit::eval
