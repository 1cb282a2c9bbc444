#pragma once
/// Where generated codes come from: the prior N(0, I) (VAEs), a VQ-VAE's learned prior over its
/// code grids (`prior` for vq_vae, train/code_prior.h) or codebook entries drawn uniformly at each
/// position (`uniform`, the prior a VQ-VAE trains under), or a Gaussian mixture fitted to the
/// training codes of the run (`gmm:K`, any family; models/gaussian_mixture.h). Codes wider
/// than kMaxMixtureDimensions (a convolutional autoencoder's feature maps) are first projected
/// onto their top principal components (fitted on up to 10,000 codes), the mixture is fitted
/// there, and its samples are mapped back. The mixture (and projection) is stored beside the
/// checkpoint, RUN/sampler-gmmK.json, with the epoch of the checkpoint it was fitted to, and
/// refitted when that checkpoint changed.

#include "aekit/data/dataset.h"
#include "aekit/models/gaussian_mixture.h"
#include "aekit/models/pca.h"
#include "aekit/train/code_prior.h"
#include "aekit/train/trainer.h"

#include <optional>
#include <string>

namespace aekit::eval {

/// A sampler as the flag `--sampler` names it: "prior", "uniform", "gmm" (10 components) or
/// "gmm:K".
struct SamplerSpec {
  bool mixture = false;
  bool uniform = false;
  int64_t components = 10;
  std::string name() const;  ///< "prior", "uniform" or "gmm:K"
  /// Parses `text`; anything else, or K < 1, is an InputError naming `what`.
  static SamplerSpec parse(const std::string& text, const std::string& what);
};

/// The widest codes a mixture is fitted to directly; wider ones go through PCA first.
constexpr int64_t kMaxMixtureDimensions = 32;

/// A ready sampler: draws n codes (n x latent_dim, float32) from torch's default generator.
struct LatentSampler {
  SamplerSpec spec;
  int64_t latent_dim = 0;
  std::optional<models::GaussianMixture> mixture;  ///< set for gmm
  std::optional<models::Pca> projection;  ///< set when the mixture lives in a PCA subspace
  std::shared_ptr<models::VqVaeImpl> quantiser;  ///< set for a VQ-VAE's samplers (prior, uniform)
  std::optional<train::CodePrior> code_prior;    ///< set for a VQ-VAE's learned prior
  std::string source;  ///< how it was obtained: "the prior", "fitted ... (written to F)", "read from F"
  torch::Tensor sample(int64_t n) const;
};

/// The file a run keeps its gmm:K sampler in.
std::filesystem::path mixture_path(const train::RunPaths& paths, int64_t components);

/// The sampler `spec` for `run`: the prior (a VQ-VAE's learned prior, read from the run folder;
/// an InputError for other models that are not generative: they have no prior), uniform codebook
/// entries (VQ-VAEs only), or the run's mixture, read from mixture_path when it was fitted to this
/// checkpoint, else fitted (seeded by the run's train.seed) to the codes of `train` and written
/// there atomically.
LatentSampler make_sampler(const SamplerSpec& spec, const train::LoadedRun& run,
                           const data::Dataset& train, const torch::Device& device);

}  // namespace aekit::eval
