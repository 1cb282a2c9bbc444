#pragma once
/// Convolutional autoencoder (Geron's recipe): 3x3 "same" convolutions, each followed by the
/// activation and 2x2 max pooling; the decoder climbs back with 3x3 stride-2 transposed
/// convolutions to the exact input size.
///
/// Layout (filters {16, 32, 64}, 1 x 28 x 28 input):
///   encoder 1x28x28 -> conv16 -> pool 16x14x14 -> conv32 -> pool 32x7x7 -> conv64 -> pool 64x3x3
///   code    the 64x3x3 map flattened: latent_dim = 576
///   decoder 64x3x3 -> tconv32 (valid) 32x7x7 -> tconv16 (same) 16x14x14 -> tconv1 (same) 1x28x28
/// A volume C x D x H x W (voxel grids) takes the same layers in three dimensions: 3x3x3
/// convolutions, 2x2x2 pooling.
/// Every decoder layer but the last is followed by the activation; the last emits logits
/// (Bernoulli) or values (Gaussian).

#include "aekit/models/autoencoder.h"
#include "aekit/nn/activation.h"

#include <torch/nn/modules/container/any.h>

namespace aekit::models {

/// Options for ConvAutoencoder.
///
/// Example: `ConvAutoencoder ae(ConvAutoencoderOptions({1, 28, 28}).filters({16, 32, 64}));`
struct ConvAutoencoderOptions {
  explicit ConvAutoencoderOptions(std::vector<int64_t> sample_shape)
      : sample_shape_(std::move(sample_shape)) {}
  /// [C, H, W] or [H, W] (images), [C, D, H, W] (volumes); each spatial size at least
  /// 2^(number of filters).
  TORCH_ARG(std::vector<int64_t>, sample_shape);
  /// Channels of the encoder's convolutions, input side first.
  TORCH_ARG(std::vector<int64_t>, filters) = std::vector<int64_t>{16, 32, 64};
  TORCH_ARG(nn::Activation, activation) = nn::Activation::kSelu;
  TORCH_ARG(losses::Likelihood, likelihood) = losses::Likelihood::kBernoulli;
};

class ConvAutoencoderImpl : public AutoencoderImpl {
 public:
  explicit ConvAutoencoderImpl(ConvAutoencoderOptions options);
  ModelOutput forward(const torch::Tensor& x) override;
  /// The flattened feature map of the last pooling layer.
  torch::Tensor encode(const torch::Tensor& x) override;
  torch::Tensor decode(const torch::Tensor& z) override;
  bool is_generative() const override { return false; }
  /// Convolutions: torch's pool gets the threads, and "bfloat16" runs them under autocast
  /// (AutoencoderImpl::autocast_training_step).
  TrainingStep training_step(Precision precision) const override {
    return autocast_training_step(precision);
  }
  int64_t latent_dim() const override;

  ConvAutoencoderOptions options;

 private:
  std::vector<torch::nn::AnyModule> encoder_;  ///< Conv2d or Conv3d
  std::vector<torch::nn::AnyModule> decoder_;  ///< ConvTranspose2d or ConvTranspose3d
  std::vector<int64_t> input_shape_;  ///< C x H x W (or C x D x H x W) of a sample
  std::vector<int64_t> code_shape_;   ///< the code map's shape, likewise
  torch::Tensor decode_logits(const torch::Tensor& z);
  torch::nn::AnyModule grid_module(const std::string& name, torch::nn::AnyModule module);
};

TORCH_MODULE(ConvAutoencoder);

/// The family entry ("conv_ae") for the registry.
ModelFamily conv_autoencoder_family();

}  // namespace aekit::models
