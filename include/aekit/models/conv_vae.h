#pragma once
/// Convolutional variational autoencoder (the Keras VAE example): strided convolutions down to a
/// dense layer and the Gaussian posterior heads; a dense layer and stride-2 transposed
/// convolutions back up.
///
/// Layout (filters {32, 64}, dense {16}, latent 2, 1 x 28 x 28 input):
///   encoder 1x28x28 -> conv32 s2 32x14x14 -> conv64 s2 64x7x7 -> flatten 3136 -> dense 16
///           -> heads mu, logvar (2 each)
///   decoder z (2) -> dense 3136 -> 64x7x7 -> tconv64 s2 64x14x14 -> tconv32 s2 32x28x28
///           -> conv 3x3 s1 to 1x28x28 (logits for Bernoulli)
/// All convolutions are 3x3 with "same" padding; every layer but the heads and the last is followed
/// by the activation. Loss = reconstruction + beta * KL, as for the MLP VAE. A volume
/// C x D x H x W (voxel grids such as electron densities) takes the same layers in three
/// dimensions (3x3x3 kernels).

#include "aekit/models/autoencoder.h"
#include "aekit/nn/activation.h"
#include "aekit/nn/mlp.h"

#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/linear.h>

namespace aekit::models {

/// Options for ConvVae.
///
/// Example: `ConvVae vae(ConvVaeOptions({1, 28, 28}, /*latent_dim=*/2).filters({32,
/// 64}).dense({16}));`
struct ConvVaeOptions {
  ConvVaeOptions(std::vector<int64_t> sample_shape, int64_t latent_dim)
      : sample_shape_(std::move(sample_shape)), latent_dim_(latent_dim) {}
  /// [C, H, W] or [H, W] (images), [C, D, H, W] (volumes); each spatial size at least
  /// 2^(number of filters).
  TORCH_ARG(std::vector<int64_t>, sample_shape);
  TORCH_ARG(int64_t, latent_dim);
  /// Channels of the stride-2 convolutions, input side first.
  TORCH_ARG(std::vector<int64_t>, filters) = std::vector<int64_t>{32, 64};
  /// Dense widths between the flattened feature map and the posterior heads.
  TORCH_ARG(std::vector<int64_t>, dense) = std::vector<int64_t>{16};
  TORCH_ARG(nn::Activation, activation) = nn::Activation::kRelu;
  TORCH_ARG(losses::Likelihood, likelihood) = losses::Likelihood::kBernoulli;
  TORCH_ARG(double, beta) = 1.0;
  /// Classes of the condition (conditional VAE): the one-hot label joins the flattened feature
  /// map before the dense layers and z before the decoder's dense layer. 0: unconditional.
  TORCH_ARG(int64_t, classes) = 0;
};

class ConvVaeImpl : public AutoencoderImpl {
 public:
  explicit ConvVaeImpl(ConvVaeOptions options);
  ModelOutput forward(const torch::Tensor& x) override;
  torch::Tensor encode(const torch::Tensor& x) override;
  torch::Tensor decode(const torch::Tensor& z) override;
  Posterior posterior(const torch::Tensor& x) override;
  torch::Tensor decode_output(const torch::Tensor& z) override;
  bool is_generative() const override { return true; }
  /// Convolutions: torch's pool gets the threads, and "bfloat16" runs them under autocast
  /// (AutoencoderImpl::autocast_training_step).
  TrainingStep training_step(Precision precision) const override {
    return autocast_training_step(precision);
  }
  int64_t latent_dim() const override { return options.latent_dim(); }
  int64_t classes() const override { return options.classes(); }

  ConvVaeOptions options;

 private:
  std::vector<torch::nn::AnyModule> encoder_;  ///< Conv2d or Conv3d, stride 2
  nn::Mlp dense_{nullptr};
  torch::nn::Linear mean_{nullptr};
  torch::nn::Linear logvar_{nullptr};
  torch::nn::Linear expand_{nullptr};
  std::vector<torch::nn::AnyModule> decoder_;  ///< ConvTranspose2d or ConvTranspose3d
  torch::nn::AnyModule output_;                ///< 3x3 (3x3x3) to the input's channels
  std::vector<int64_t> input_shape_;  ///< C x H x W (or C x D x H x W) of a sample
  std::vector<int64_t> map_shape_;    ///< the last feature map's shape, likewise
  torch::Tensor features(const torch::Tensor& x);
  torch::Tensor decode_logits(const torch::Tensor& z);
  torch::nn::AnyModule grid_module(const std::string& name, torch::nn::AnyModule module);
};

TORCH_MODULE(ConvVae);

/// The family entry ("conv_vae") for the registry.
ModelFamily conv_vae_family();
/// The convolutional conditional VAE ("conv_cvae").
ModelFamily conv_cvae_family();

}  // namespace aekit::models
