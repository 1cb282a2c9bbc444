#pragma once
/// Autoencoder with tied weights: each decoder layer reuses the transposed weight matrix of its
/// mirror encoder layer and has its own bias (Geron's DenseTranspose recipe).
///
/// Math: encoder h_i = act(W_i h_{i-1} + b_i), the last with the code activation; decoder
/// g_{i-1} = act(W_i^T g_i + c_i), the last (data side) without activation (logits or values).
/// Parameters: sum_i |W_i| + |b_i| + |c_i|, about half of the untied model's.
/// Layout: input N x (sample shape) flattened to N x D; encoder D -> hidden... -> latent.

#include "aekit/models/autoencoder.h"
#include "aekit/nn/activation.h"

#include <torch/nn/modules/linear.h>

namespace aekit::models {

/// Options for TiedAutoencoder.
///
/// Example (Geron's tied stacked AE 784-100-30-100-784, SELU):
///   TiedAutoencoder ae(TiedAutoencoderOptions({1, 28, 28}, 30).encoder({100})
///                          .activation(nn::Activation::kSelu).code_activation(nn::Activation::kSelu));
struct TiedAutoencoderOptions {
  TiedAutoencoderOptions(std::vector<int64_t> sample_shape, int64_t latent_dim)
      : sample_shape_(std::move(sample_shape)), latent_dim_(latent_dim) {}
  TORCH_ARG(std::vector<int64_t>, sample_shape);
  TORCH_ARG(int64_t, latent_dim);
  /// Hidden widths, input side first; the decoder mirrors them (tying needs the mirror).
  TORCH_ARG(std::vector<int64_t>, encoder) = std::vector<int64_t>{100};
  TORCH_ARG(nn::Activation, activation) = nn::Activation::kSelu;
  TORCH_ARG(nn::Activation, code_activation) = nn::Activation::kSelu;
  TORCH_ARG(losses::Likelihood, likelihood) = losses::Likelihood::kBernoulli;
};

class TiedAutoencoderImpl : public AutoencoderImpl {
 public:
  explicit TiedAutoencoderImpl(TiedAutoencoderOptions options);
  ModelOutput forward(const torch::Tensor& x) override;
  torch::Tensor encode(const torch::Tensor& x) override;
  torch::Tensor decode(const torch::Tensor& z) override;
  bool is_generative() const override { return false; }
  int64_t latent_dim() const override { return options.latent_dim(); }

  /// The encoder layers, input side first; decoder layer i uses encoder_layers()[i]->weight.t().
  const std::vector<torch::nn::Linear>& encoder_layers() const { return encoder_; }

  TiedAutoencoderOptions options;

 private:
  std::vector<torch::nn::Linear> encoder_;
  std::vector<torch::Tensor>
      decoder_biases_;  ///< decoder_biases_[i] belongs to encoder_[i]'s transpose
  torch::Tensor decode_logits(const torch::Tensor& z);
};

TORCH_MODULE(TiedAutoencoder);

/// The family entry ("tied_ae") for the registry.
ModelFamily tied_autoencoder_family();

}  // namespace aekit::models
