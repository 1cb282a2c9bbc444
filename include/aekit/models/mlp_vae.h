#pragma once
/// Variational autoencoder with MLP encoder and decoder (Kingma & Welling), beta-VAE, and the
/// conditional VAE (Sohn et al. 2015: q(z|x, y), p(x|z, y), prior N(0, I), y one-hot).
///
/// Math: q(z|x) = N(mu(x), diag(exp(logvar(x)))), z = mu + exp(logvar / 2) * eps, eps ~ N(0, I);
/// p(x|z) Bernoulli(sigmoid(f(z))) or Gaussian(f(z), fixed variance); prior p(z) = N(0, I).
/// Loss (negative ELBO, nats per example) = reconstruction + beta * KL(q(z|x) || p(z)).
/// Layout: input N x (sample shape) flattened to N x D; encoder D -> hidden... ; two Linear heads
/// to mu and logvar; decoder latent -> hidden... -> D. logvar is clamped to [kMinLogvar,
/// kMaxLogvar] so exp(logvar) and the KL stay finite in float32 (no effect on ordinary training).

#include "aekit/models/autoencoder.h"
#include "aekit/nn/mlp.h"

namespace aekit::models {

/// Options for MlpVae.
///
/// Example (PyTorch's VAE example):
///   MlpVae vae(MlpVaeOptions({1, 28, 28}, /*latent_dim=*/20).encoder({400}));
struct MlpVaeOptions {
  MlpVaeOptions(std::vector<int64_t> sample_shape, int64_t latent_dim)
      : sample_shape_(std::move(sample_shape)), latent_dim_(latent_dim) {}
  TORCH_ARG(std::vector<int64_t>, sample_shape);
  TORCH_ARG(int64_t, latent_dim);
  /// Hidden widths of the encoder, input side first.
  TORCH_ARG(std::vector<int64_t>, encoder) = std::vector<int64_t>{512};
  /// Hidden widths of the decoder, latent side first; empty mirrors the encoder.
  TORCH_ARG(std::vector<int64_t>, decoder) = std::vector<int64_t>{};
  TORCH_ARG(nn::Activation, activation) = nn::Activation::kRelu;
  TORCH_ARG(losses::Likelihood, likelihood) = losses::Likelihood::kBernoulli;
  /// Weight of the KL term (beta-VAE when != 1).
  TORCH_ARG(double, beta) = 1.0;
  /// Classes of the condition (conditional VAE, Sohn et al. 2015): the one-hot label enters the
  /// encoder beside x and the decoder beside z. 0: unconditional.
  TORCH_ARG(int64_t, classes) = 0;
};

class MlpVaeImpl : public AutoencoderImpl {
 public:
  explicit MlpVaeImpl(MlpVaeOptions options);
  ModelOutput forward(const torch::Tensor& x) override;
  torch::Tensor encode(const torch::Tensor& x) override;
  torch::Tensor decode(const torch::Tensor& z) override;
  /// The hand-derived backward pass of this architecture (ReLU hidden layers; no input noise,
  /// sparsity or importance sampling): every product into the gradients directly, the
  /// elementwise work in a few passes, the products through kernels::matmul_out (oneDNN where built
  /// with it) in `precision`. Measured: docs/performance.md.
  bool fused_training_step(const torch::Tensor& x, Precision precision,
                           LossTerms& terms) override;
  /// Fused (any precision) with ReLU layers and no input noise, sparsity or importance samples;
  /// autograd in float32 otherwise. Products in float32 run on OpenBLAS's threads and torch's pool
  /// keeps one; in bfloat16 they run on oneDNN (OpenBLAS idle) and torch's pool gets every
  /// configured thread (docs/performance.md, "bfloat16 products").
  TrainingStep training_step(Precision precision) const override;
  Posterior posterior(const torch::Tensor& x) override;
  torch::Tensor decode_output(const torch::Tensor& z) override;
  bool is_generative() const override { return true; }
  int64_t latent_dim() const override { return options.latent_dim(); }
  int64_t classes() const override { return options.classes(); }

  MlpVaeOptions options;

 private:
  /// Whether the current settings are the ones fused_training_step implements.
  bool has_fused_step() const;

  nn::Mlp encoder_{nullptr};
  torch::nn::Linear mean_{nullptr};
  torch::nn::Linear logvar_{nullptr};
  nn::Mlp decoder_{nullptr};
};

TORCH_MODULE(MlpVae);

/// The family entry ("vae") for the registry: defaults and factory.
ModelFamily mlp_vae_family();
/// The conditional VAE ("cvae"): an MlpVae with `classes` set from the data's labels.
ModelFamily mlp_cvae_family();

}  // namespace aekit::models
