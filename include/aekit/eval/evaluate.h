#pragma once
/// Loss of a model on a dataset, with its parts, in nats per example (the training convention).

#include "aekit/data/dataset.h"
#include "aekit/models/autoencoder.h"

namespace aekit::eval {

/// Mean over examples of the total loss and its parts, and the reconstruction metrics of
/// eval/metrics.h on the decoded (data-space) reconstructions.
struct LossSummary {
  double loss = 0;
  double reconstruction = 0;
  double kl = 0;
  double penalty = 0;           ///< sparsity penalty
  double rounded_accuracy = 0;  ///< share of values with round(x) == round(x^)
  double mse = 0;               ///< mean over all values of (x - x^)^2
  double psnr = 0;              ///< dB, peak 1
  double bce = 0;               ///< mean binary cross-entropy per value; NaN for data outside [0, 1]
  double smape = 0;             ///< percent, 0 to 200
  double code_mean = 0;         ///< mean of the codes (encode()) over examples and units
  /// A table with categorical columns (models::Objective::categories), per example: the
  /// reconstruction's numeric part (the likelihood's term) and its categorical part (softmax
  /// cross-entropy), and the share of categorical values whose most likely category is the true
  /// one. NaN for data without categories.
  double numeric_reconstruction = std::nan("");
  double category_reconstruction = std::nan("");
  double category_accuracy = std::nan("");
  int64_t examples = 0;
};

/// Evaluates in eval mode without gradients, in batches of `batch_size`, on `device`. VAEs sample
/// one z per example (the single-sample ELBO estimate), drawn from torch's default generator.
/// With `corruption`, the model sees corrupted inputs and is scored against the clean ones (how a
/// denoising autoencoder is judged).
///
/// Example:
///   auto summary = aekit::eval::evaluate_loss(*model, splits.test, 1000, torch::kCPU);
LossSummary evaluate_loss(models::AutoencoderImpl& model, const data::Dataset& data,
                          int64_t batch_size, const torch::Device& device,
                          const nn::InputNoise& corruption = {});

/// The codes (encode(): posterior means for VAEs) of every sample of `features`, N x latent_dim on
/// the CPU, computed in batches in eval mode without gradients. Conditional models take each
/// sample's class from `labels` (N int64).
torch::Tensor encode_all(models::AutoencoderImpl& model, const torch::Tensor& features,
                         const torch::Device& device, const torch::Tensor& labels = {},
                         int64_t batch_size = 1000);

/// Throws InputError naming `what` when the data cannot be modelled by `model`: values outside
/// [0, 1] under a Bernoulli likelihood.
void check_data_fits_likelihood(const models::AutoencoderImpl& model, const data::Dataset& data,
                                const std::string& what);

}  // namespace aekit::eval
