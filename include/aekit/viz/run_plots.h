#pragma once
/// The figures of a trained model, each a PNG with a title and labelled axes:
///   latent_scatter.png   test codes coloured by label (first two dimensions; a PCA projection to
///                        2-D when the latent is larger)
///   manifold.png         the 2-D latent manifold: an n x n grid of z at the standard normal
///                        inverse CDF of evenly spaced values in (0.05, 0.95), decoded and tiled
///                        (generative models with a 2-D latent)
///   reconstructions.png  originals (top row of each pair) above their reconstructions
///   samples.png          decoded samples from the prior N(0, I) (generative models)
///   interpolation.png    paths between the codes of pairs of test images, decoded, the two
///                        originals at the ends of each row (eval/latent_walk.h)
///   traversal.png        one row per latent dimension (the first `traversal_rows` in the order of
///                        eval::plan_traversal: KL to the prior, or code variance), swept around
///                        the prior's mean (VAEs) or the mean code
///   loss_curves.png      train and validation loss per epoch

#include "aekit/data/dataset.h"
#include "aekit/models/autoencoder.h"

#include <filesystem>
#include <string>
#include <vector>

namespace aekit::viz {

/// How many points and images each figure shows.
struct PlotOptions {
  int64_t scatter_points = 10000;  ///< test samples in the latent scatter
  int64_t manifold_size = 20;      ///< n of the n x n manifold grid
  int64_t reconstructions = 16;    ///< originals shown (with their reconstructions)
  int64_t samples = 64;            ///< prior samples shown
  int64_t interpolation_pairs = 4; ///< rows of interpolation.png
  int64_t walk_steps = 10;         ///< decoded codes per row of interpolation.png and traversal.png
  int64_t traversal_rows = 10;     ///< latent dimensions shown in traversal.png
};

/// What was written, and what was skipped with the reason.
struct PlotReport {
  std::vector<std::filesystem::path> written;
  std::vector<std::string> skipped;
};

/// Decodes the n x n manifold grid at eval::normal_quantile_grid(n) on both axes; returns the tiled grey image (row 0 = largest z2).
torch::Tensor decode_manifold(models::AutoencoderImpl& model, int64_t n, const torch::Device& device);

/// The codes of `data` projected to 2-D: the first two dimensions when latent_dim <= 2, else the top
/// two principal components. N x 2 (N x 1 padded with zeros for a 1-D latent).
torch::Tensor codes_2d(const torch::Tensor& codes);

/// Writes every figure that applies into `out_dir`. `history` is the run's metrics (may be empty).
///
/// Example:
///   auto report = aekit::viz::write_run_plots(*run.model, splits.test, splits.class_names(),
///                                             run.state.history, "runs/vae/plots", {}, torch::kCPU);
PlotReport write_run_plots(models::AutoencoderImpl& model, const data::Dataset& test,
                           const std::vector<std::string>& class_names, const Json& history,
                           const std::filesystem::path& out_dir, const PlotOptions& options,
                           const torch::Device& device);

}  // namespace aekit::viz
