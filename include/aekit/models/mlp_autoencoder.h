#pragma once
/// Deterministic autoencoder with MLP encoder and decoder: undercomplete, stacked (deep) or, with
/// no hidden layers and linear activations, the linear autoencoder that spans PCA's subspace.
///
/// Math: code h = act_code(g(x)), reconstruction x^ = f(h); loss = reconstruction term only.
/// Layout: input N x (sample shape) flattened to N x D; encoder D -> hidden... -> latent;
/// decoder latent -> hidden... -> D.

#include "aekit/models/autoencoder.h"
#include "aekit/nn/mlp.h"

namespace aekit::models {

/// Options for MlpAutoencoder.
///
/// Example (stacked AE 784-100-30-100-784, SELU):
///   MlpAutoencoder ae(MlpAutoencoderOptions({1, 28, 28}, 30).encoder({100})
///                         .activation(nn::Activation::kSelu));
struct MlpAutoencoderOptions {
  MlpAutoencoderOptions(std::vector<int64_t> sample_shape, int64_t latent_dim)
      : sample_shape_(std::move(sample_shape)), latent_dim_(latent_dim) {}
  TORCH_ARG(std::vector<int64_t>, sample_shape);
  TORCH_ARG(int64_t, latent_dim);
  TORCH_ARG(std::vector<int64_t>, encoder) = std::vector<int64_t>{512};
  /// Empty mirrors the encoder.
  TORCH_ARG(std::vector<int64_t>, decoder) = std::vector<int64_t>{};
  TORCH_ARG(nn::Activation, activation) = nn::Activation::kRelu;
  /// Activation of the coding layer.
  TORCH_ARG(nn::Activation, code_activation) = nn::Activation::kLinear;
  TORCH_ARG(losses::Likelihood, likelihood) = losses::Likelihood::kBernoulli;
};

class MlpAutoencoderImpl : public AutoencoderImpl {
 public:
  explicit MlpAutoencoderImpl(MlpAutoencoderOptions options);
  ModelOutput forward(const torch::Tensor& x) override;
  torch::Tensor encode(const torch::Tensor& x) override;
  torch::Tensor decode(const torch::Tensor& z) override;
  bool is_generative() const override { return false; }
  int64_t latent_dim() const override { return options.latent_dim(); }

  MlpAutoencoderOptions options;

 private:
  nn::Mlp encoder_{nullptr};
  nn::Mlp decoder_{nullptr};
};

TORCH_MODULE(MlpAutoencoder);

/// The family entry ("ae") for the registry.
ModelFamily mlp_autoencoder_family();

}  // namespace aekit::models
