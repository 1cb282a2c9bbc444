#pragma once
/// The learned prior of a VQ-VAE run: a gated PixelCNN (models/pixel_cnn.h) fitted by maximum
/// likelihood to the code grids of the run's training images (van den Oord et al. 2017, section
/// 3.2). While the VQ-VAE trains, its prior is uniform over the codebook; the PixelCNN learns which
/// codes go together, so that grids drawn from it decode to images like the data.
///
/// Kept beside the checkpoint: RUN/code_prior.pt (the network's tensors, written atomically after
/// every epoch) and RUN/code_prior.json (its settings, the model epoch whose codes it was fitted
/// to, and each epoch's train and test negative log-likelihood). A prior fitted to an earlier
/// checkpoint of the model is refused, not used.

#include "aekit/data/dataset.h"
#include "aekit/models/pixel_cnn.h"
#include "aekit/models/vq_vae.h"
#include "aekit/train/trainer.h"

#include <functional>

namespace aekit::train {

/// How the prior is trained (Adam, mean negative log-likelihood per grid).
struct CodePriorOptions {
  int64_t epochs = 10;
  int64_t batch_size = 64;
  double lr = 1e-3;
  int64_t channels = 32;  ///< of each PixelCNN stack
  int64_t layers = 6;     ///< gated layers
  uint64_t seed = 1;      ///< initial weights and batch order
};

/// Throws InputError naming what is out of range in `options`.
void check_code_prior_options(const CodePriorOptions& options);

/// A trained prior over a run's code grids.
struct CodePrior {
  models::GatedPixelCnn network{nullptr};
  int64_t rows = 0;     ///< h of the code grid
  int64_t columns = 0;  ///< w of the code grid
  Json record;          ///< what RUN/code_prior.json holds
  /// n grids drawn from the prior, as codes the VQ-VAE decodes (n x latent_dim, on its device).
  torch::Tensor sample_codes(const models::VqVaeImpl& model, int64_t n) const;
};

/// RUN/code_prior.pt and RUN/code_prior.json.
std::filesystem::path code_prior_tensors(const RunPaths& paths);
std::filesystem::path code_prior_record(const RunPaths& paths);

/// The VQ-VAE of a run, or an InputError naming the run and its model type.
models::VqVaeImpl& vq_vae_of(const LoadedRun& run);

/// Fits a prior to the code grids of `train` (scored on `test` after every epoch) of the VQ-VAE in
/// `run`, writing it into the run folder after every epoch; `on_epoch` gets each epoch's record
/// ({"epoch", "train_nll", "test_nll", "seconds"}, nats per grid).
CodePrior train_code_prior(const LoadedRun& run, const data::Dataset& train,
                           const data::Dataset& test, const CodePriorOptions& options,
                           const torch::Device& device,
                           const std::function<void(const Json&)>& on_epoch = {});

/// Whether the run folder holds a prior (of any model epoch).
bool has_code_prior(const RunPaths& paths);

/// Reads the run's prior onto `device`. A missing prior, one of another model epoch or settings
/// that do not fit the run's codebook are InputErrors naming the folder and `aekit train-prior`.
CodePrior load_code_prior(const LoadedRun& run, const torch::Device& device);

}  // namespace aekit::train
